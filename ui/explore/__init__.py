"""The Explore page's parts: review lengths and what ``maxlen`` cuts, vocabulary coverage, one review's tokens.

Pure: ``charts`` (length histogram, coverage curve), ``tables`` (split counts, the
histogram's bins), ``wording`` (token ids and star ratings as text).
"""
