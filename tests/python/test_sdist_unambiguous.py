"""tools/sdist_unambiguous.py: an sdist whose compressed bytes happen to hold the zip
end-of-directory signature (which older pip then unpacks as a zip, and fails) is
compressed again until it reads as a tar only, with the same tar inside; one that
reads as a tar already is left alone."""

from __future__ import annotations

import gzip
import importlib.util
import io
import pathlib
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("sdist_unambiguous", ROOT / "tools" / "sdist_unambiguous.py")
assert spec and spec.loader
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def tar_with(content: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo("pkg-1.0/README")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def test_an_sdist_that_looks_like_a_zip_is_compressed_again(tmp_path):
    # Stored (level 0), the bytes of the tar, signature and all, are the compressed
    # file's: zipfile.is_zipfile says yes, as it did for a real sdist of ours.
    tar = tar_with(b"text " * 100 + b"PK\x05\x06" + bytes(18) + b" more text" * 100)
    sdist = tmp_path / "pkg-1.0.tar.gz"
    sdist.write_bytes(gzip.compress(tar, compresslevel=0, mtime=0))
    assert zipfile.is_zipfile(sdist)

    assert "compressed again at gzip level 9" in tool.make_unambiguous(sdist)
    assert not zipfile.is_zipfile(sdist)
    assert gzip.decompress(sdist.read_bytes()) == tar
    with tarfile.open(sdist) as unpacked:
        assert unpacked.getnames() == ["pkg-1.0/README"]
    assert not list(tmp_path.glob("*.trial"))


def test_an_sdist_that_reads_as_a_tar_is_left_alone(tmp_path):
    sdist = tmp_path / "pkg-1.0.tar.gz"
    body = gzip.compress(tar_with(b"plain text\n" * 50), mtime=0)
    sdist.write_bytes(body)
    assert "reads as a tar" in tool.make_unambiguous(sdist)
    assert sdist.read_bytes() == body
