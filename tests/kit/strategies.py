"""Hypothesis strategies shared by the round-trip tests: path segments, query names and values, headers."""

from __future__ import annotations

from hypothesis import strategies as st

SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/?#%\\"),
    min_size=1,
    max_size=8,
).filter(lambda s: s not in (".", ".."))
NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
VALUE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)
HEADER_VALUE = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=10)
