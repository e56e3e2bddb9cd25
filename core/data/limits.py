"""How much the data loader reads at most: every cap on an archive, a file to hash, a Keras npz.

Why: a typed path, an upload or a file in the cache can come from anyone, and a small file
can unpack to a huge one (issue 28 measured a 1 MB ``.tar.gz`` holding one 1 GB file of
zeros: 110 s and 10.5 GB before it failed; a 3 MB one ended the server). Each cap is checked
before reading (a file's size from ``stat``, a member's size from its header) and the
decompressed bytes are counted again while they come out, so a lying header or a gzip
bomb stops within a cap, not at the end of the data.

Each value is several times what a real copy of the data needs. Measured on this lab's
``aclImdb_labeled.tar.gz`` (30 MB): 50,006 members, 66 MB of member data, the largest member
``aclImdb/imdb.vocab`` (846 KB), the longest review 13,704 bytes. The official
``aclImdb_v1.tar.gz`` (84 MB; its contents as documented, not measured here: no internet)
adds 50,000 unlabelled reviews, the ``.feat`` bag-of-words files (the largest, about
40 MB) and URL lists: about 100,020 members and about 0.3 GB of tar stream. Keras's
``imdb.npz`` is 17 MB with four members. The dataset was published in 2011 and does not grow.
"""

from __future__ import annotations

MIB = 1 << 20

#: Most members (files and folders) an archive may have: 1.5x the official archive's ~100,020.
#: Reading headers is the cost (about 15 µs each): 150,000 are refused in about 2 s.
MAX_ARCHIVE_MEMBERS = 150_000
#: Largest member of an archive, from its header, before it is read or skipped: 6x the
#: official archive's largest (``train/unsupBow.feat``, about 40 MB).
MAX_MEMBER_BYTES = 256 * MIB
#: Largest review file, read into memory: 75x the longest real review (13,704 bytes).
MAX_REVIEW_BYTES = 1 * MIB
#: Most bytes of extended headers (long names, pax records) before one member: a real one is
#: under 1 KB; tarfile reads them into memory before it shows us the member.
MAX_HEADER_BYTES = 1 * MIB
#: Most decompressed bytes of a whole archive (its tar stream), counted while reading: 3x the
#: official archive's ~0.3 GB, 10x this lab's.
MAX_ARCHIVE_BYTES = 1024 * MIB
#: Largest file a source may be on disk, checked before it is hashed or opened: 6x the
#: official archive (84 MB), 17x this lab's (30 MB), 30x Keras's ``imdb.npz`` (17 MB).
MAX_SOURCE_FILE_BYTES = 512 * MIB
#: Most members of a Keras ``imdb.npz`` (it has 4: x_train, y_train, x_test, y_test).
MAX_NPZ_MEMBERS = 16
#: Largest member of an ``imdb.npz`` once decompressed (the largest real one, ``x_train.npy``, is
#: a pickled array of 25,000 lists: tens of MB).
MAX_NPZ_MEMBER_BYTES = 256 * MIB


def mib(size: int) -> str:
    """A byte count in the words of the messages: ``256 MB``, ``1.5 MB``."""
    value = size / MIB
    return f"{value:,.0f} MB" if value >= 10 else f"{value:,.1f} MB"
