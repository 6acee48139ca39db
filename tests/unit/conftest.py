"""Unit tests never touch the project's own cache folders: the site built by a test (for
its served HTML) caches nothing and compresses into a temporary folder."""

from __future__ import annotations

import os
import tempfile

os.environ["CACHE_TYPE"] = "NullCache"
os.environ.setdefault("COMPRESSED_ASSETS_DIR", tempfile.mkdtemp(prefix="unit-compressed-"))
