"""``python -m core``: the command line (see :mod:`core.cli`), on tcmalloc where there is one (:mod:`core.allocator`)."""

import sys

from core import allocator

allocator.reexec_with_preload()

from core.cli import main  # noqa: E402  (after the re-exec: nothing is imported twice)

sys.exit(main())
