"""Start here: the four steps of the lab with what each costs on this server, the data, one button.

The default page. A newcomer (or a class at 9:00) sees where things are, whether the
data is loaded, how long they will wait for the default training *on this server*, from the
click to the result (measured, else the calibrated estimate plus start-up:
:func:`core.jobs.admission.expected_wait`), and can train the default preset in one click.
"""

import streamlit as st

from core.config import DEFAULT_PRESET, preset
from core.errors import LabError
from core.jobs import admission
from core.jobs.journal import JobJournal
from core.runs.store import RunStore
from ui.classroom import identity as classroom
from ui.shared import frame, pages, resources, state, wording
from ui.train import wording as train_wording

frame.page_guard(__file__)
frame.page_title(pages.START)
st.markdown(
    "Teach a small neural network, an **LSTM**, to tell a positive movie review from a negative one, "
    "and watch it learn. The default network reads a review the way you do, one word at a time: one "
    "step of the LSTM per word, every step open to look at on the Predict page. Four steps, in order:"
)

data = frame.require_data()
manager = frame.require_jobs()
default = preset(DEFAULT_PRESET)
#: Click to result (start-up, training, scoring, saving), measured on this server when it can be (admission.expected_wait).
wait = admission.expected_wait(
    default,
    JobJournal.of(RunStore()).measured_waits(),
    resources.calibration(data, default),
    data.train.lengths,
    len(data.test),
)

STEPS = (
    (
        pages.EXPLORE,
        "How long reviews are, why we cut them, how many words to keep.",
        "a few minutes of reading",
    ),
    (
        pages.TRAIN,
        "Pick a preset or move the knobs; watch training and validation loss, and see overfitting.",
        f"the default preset: {train_wording.wait_sentence(wait)}",
    ),
    (
        pages.PREDICT,
        "Type a review: the verdict, the words that decided it, what the LSTM does inside.",
        "a second per review",
    ),
    (
        pages.EVALUATE,
        "Test accuracy, the mistakes, every run side by side, the bag-of-words baseline.",
        "seconds",
    ),
)
for number, (target, what, cost) in enumerate(STEPS, start=1):
    with st.container(border=True):
        st.page_link(target.path, label=f"**{number}. {target.title}**")
        st.caption(f"{what} · *{cost}*")

st.markdown(
    f"**Data:** {len(data.train):,} training and {len(data.test):,} test reviews loaded "
    f"({wording.duration(data.load_seconds)} to load, kept in memory for everyone)."
)


def _train_default() -> None:
    """The default preset from this student's own seed (:func:`ui.shared.state.preset_for_session`): their own run."""
    config = state.preset_for_session(DEFAULT_PRESET)
    try:
        st.session_state[state.TRAIN_JOB_KEY] = manager.submit(
            config, owner=classroom.actor().session_id, data=data, client=classroom.client_address()
        )
    except LabError as error:
        st.session_state["start_error"] = str(error)
        return
    st.session_state[state.TRAIN_PRESET_KEY] = st.session_state[state.TRAIN_BASE_KEY] = DEFAULT_PRESET
    state.apply_preset_values(DEFAULT_PRESET)  # Train shows the network this job trains
    st.session_state["start_go_to_train"] = True


st.button(
    f"Train the default preset ({DEFAULT_PRESET})",
    type="primary",
    icon=":material/play_arrow:",
    on_click=_train_default,
    help=default.summary(),
)
refused = st.session_state.pop("start_error", None)
if refused:
    st.error(refused)
if st.session_state.pop("start_go_to_train", False):
    st.switch_page(pages.TRAIN.path)
