"""The file system the /static/ route reads: a name no file can have is simply not found."""

from __future__ import annotations

import errno
from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types.file_types import FileInfo

# What stat() says about a path that cannot name a file under static/ (a segment over 255
# bytes, a file used as a folder, a symlink loop): for a visitor, a file that is not there.
_NO_SUCH_NAME = {errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP, errno.EINVAL}


class StaticFileSystem(BaseLocalFileSystem):
    """The local file system, answering FileNotFoundError (so a 404) for impossible names.

    Litestar's adapter turns any other OSError into a 500, and Python refuses a path with a NUL
    byte with ValueError; both came from nothing but a crafted URL, and were logged twice.
    """

    async def info(self, path: Any, **kwargs: Any) -> FileInfo:
        try:
            return await super().info(path, **kwargs)
        except ValueError:  # "embedded null byte"
            raise FileNotFoundError(errno.ENOENT, "no such file", str(path)) from None
        except OSError as error:
            if error.errno in _NO_SUCH_NAME:
                raise FileNotFoundError(errno.ENOENT, "no such file", str(path)) from None
            raise
