"""sdist_unambiguous.py SDIST - make sure pip reads the sdist SDIST (a .tar.gz) as a tar.

pip before 26.1 unpacks any archive that `zipfile.is_zipfile` accepts as a zip, and that
only looks for the zip end-of-directory signature PK\\x05\\x06 in the file's last 64 KiB:
compressed bytes contain it by chance now and then, and such an sdist fails to install
with "BadZipFile: Bad offset for central directory" (pypa/pip#13867, fixed by #13870).
When SDIST has the signature, its tar is compressed again at other gzip levels until one
has not; the tar inside stays byte for byte the same."""

from __future__ import annotations

import gzip
import pathlib
import sys
import zipfile


def make_unambiguous(sdist: pathlib.Path) -> str:
    """What was done to sdist, for the log; raises SystemExit when nothing helps."""
    if not zipfile.is_zipfile(sdist):
        return f"{sdist.name}: reads as a tar"
    tar = gzip.decompress(sdist.read_bytes())
    trial = sdist.with_suffix(".trial")
    for level in range(9, 0, -1):
        trial.write_bytes(gzip.compress(tar, compresslevel=level, mtime=0))
        if not zipfile.is_zipfile(trial):
            trial.replace(sdist)
            return f"{sdist.name}: looked like a zip to pip; compressed again at gzip level {level}"
    trial.unlink()
    raise SystemExit(f"{sdist.name}: looks like a zip to pip at every gzip level")


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.split("\n")[0])
    print(make_unambiguous(pathlib.Path(sys.argv[1])))


if __name__ == "__main__":
    main()
