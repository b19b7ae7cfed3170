-- The Lua tests' one assertion helper: check(cond, what) notes a failure;
-- check.finish(name) exits 1 after any, else prints "<name>: ok".
local failures = 0
local check = setmetatable({}, {
  __call = function(_, cond, what)
    if not cond then
      failures = failures + 1
      io.stderr:write("FAIL: " .. what .. "\n")
    end
  end,
})
function check.finish(name)
  if failures > 0 then os.exit(1) end
  print(name .. ": ok")
end
return check
