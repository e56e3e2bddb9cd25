"""A room of students on one server: who this browser is, the teacher's unlock, the class board.

Streamlit edge: ``identity`` (this browser's owner id, the teacher's unlock), ``board``
(nickname, ranked runs, the reveal switch); pure: ``reveal`` (whether this session sees test
results now: the one reveal policy every page asks).
"""
