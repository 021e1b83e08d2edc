"""DOC / WPS to DOCX with LibreOffice headless: the one place parsers/ runs a subprocess.

The conversion runs in a private temporary directory (input, output and a throw-away
LibreOffice profile, so parallel conversions never share a lock), with a timeout after which
the whole process group is killed. Without LibreOffice on PATH the document is reported as
unsupported, with the package that would read it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from nianbao.parsers.readers.attachment import Unreadable, Unsupported
from nianbao.parsers.limits import CONVERT_SECONDS, LimitExceeded

INSTALL_HINT = ("DOC/WPS needs LibreOffice to be read: "
                "apt-get install --no-install-recommends libreoffice-writer-nogui")
_BINARIES = ("soffice", "libreoffice", "lowriter")


def find_soffice() -> str | None:
    """The LibreOffice binary on PATH (``NIANBAO_SOFFICE`` overrides; empty disables)."""
    env = os.environ.get("NIANBAO_SOFFICE")
    if env is not None:
        return shutil.which(env) if env else None
    for name in _BINARIES:
        path = shutil.which(name)
        if path:
            return path
    return None


def to_docx(data: bytes, suffix: str = ".doc", timeout: float = CONVERT_SECONDS) -> bytes:
    """DOCX bytes of a DOC/WPS document; raises Unsupported, Unreadable or LimitExceeded."""
    soffice = find_soffice()
    if soffice is None:
        raise Unsupported(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="nianbao-office-") as tmp:
        work = Path(tmp)
        src = work / f"in{suffix}"
        src.write_bytes(data)
        out_dir = work / "out"
        out_dir.mkdir()
        cmd = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(out_dir), str(src)]
        env = {**os.environ, "HOME": str(work), "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=work, env=env,
                                start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise LimitExceeded(f"LibreOffice conversion took longer than {timeout:.0f} s "
                                "(CONVERT_SECONDS)") from None
        result = out_dir / "in.docx"
        if proc.returncode != 0 or not result.exists():
            tail = output.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise Unreadable(f"LibreOffice could not convert the document "
                             f"(exit {proc.returncode}) {tail[0][:200]}".rstrip())
        return result.read_bytes()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """End the conversion and every process it started (it runs in its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()
