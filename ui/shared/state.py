"""Session state: every value a session keeps across pages, its default, and the Train knobs.

Widgets use these keys with ``persist_state="session"``, so a value the user picked
survives moving to another page and back (Streamlit would otherwise drop the keys of
widgets that are not on the current page). Each key that more than one module reads is
named here once.
"""

from __future__ import annotations

import uuid

import streamlit as st

from core.config import CUSTOM, DEFAULT_PRESET, TrainConfig, own_seed, preset, preset_name
from core.errors import ConfigError
from ui.train import knobs

#: This session's owner id (its browser's, :func:`ui.classroom.identity.init_owner`): what its jobs and runs belong to.
SESSION_ID_KEY = "session_id"
#: The dataset path the user chose in the set-up panel (not a widget key).
DATA_PATH_KEY = "data_path"
#: The run the Predict page's picker shows (the Train page sets it to a finished run).
PREDICT_RUN_KEY = "predict_run"
#: The Predict page's review box, and the true label of the test review put there (with
#: that review's text: the label holds only while the box still shows it).
PREDICT_TEXT_KEY = "predict_text"
PREDICT_TRUE_LABEL_KEY = "predict_true_label"
#: The job the Train page shows (this session's, or a live one started elsewhere); the job toast reads it.
TRAIN_JOB_KEY = "train_job_id"
#: Keys that several modules read (the page, its link parameters, the defaults here).
TRAIN_PRESET_KEY, TRAIN_BASE_KEY, TRAIN_RETRAIN_KEY = "train_preset", "train_base", "train_retrain"
EVALUATE_RUN_KEY = "evaluate_run"
PREDICT_COMPARE_KEY, PREDICT_SPAN_KEY = "predict_compare", "predict_span"
EXPLORE_SPLIT_KEY, EXPLORE_INDEX_KEY, EXPLORE_LOG_SCALE_KEY = "explore_split", "explore_index", "explore_log_scale"
EXPLORE_TRUNCATING_KEY, EXPLORE_MAXLEN_KEY, EXPLORE_NUM_WORDS_KEY = (
    "explore_truncating",
    "explore_maxlen",
    "explore_num_words",
)
#: The lesson this session runs or follows, its step (an index) and when it got there; the student's
#: "Follow the teacher" toggle (:mod:`ui.lessons`).
LESSON_KEY, LESSON_STEP_KEY, LESSON_SINCE_KEY = "lesson_id", "lesson_step", "lesson_since"
FOLLOW_TEACHER_KEY = "follow_teacher"
#: The X-ray's stacked interventions on Predict (spec strings, :mod:`core.serving.interventions`); a link carries them.
XRAY_INTERVENE_KEY = "xray_intervene"
#: The review those interventions were made for (a new review clears them; a link that restores them drops it).
XRAY_INTERVENE_TEXT_KEY = "xray_intervene_text"
#: Per run id, the index of its last weight snapshot (the final model), which a link leaves out (not a widget key).
SNAPSHOT_LAST_KEY = "snapshot_last"


def snapshot_key(run_id: str) -> str:
    """The key of a run's snapshot slider (:mod:`ui.snapshots.panel`): one per run, shared by every page."""
    return f"snapshot_{run_id}"


#: Explore page widgets and their defaults; maxlen and num_words follow the Train knobs (:func:`sync_explore_with_train`).
EXPLORE_DEFAULTS = {
    EXPLORE_LOG_SCALE_KEY: False,
    EXPLORE_SPLIT_KEY: "test",
    EXPLORE_INDEX_KEY: 0,
    EXPLORE_TRUNCATING_KEY: "pre",
}
#: The Explore sliders that show a Train knob's value: Explore widget key -> config field.
EXPLORE_SHARED_KNOBS = {EXPLORE_MAXLEN_KEY: "maxlen", EXPLORE_NUM_WORDS_KEY: "num_words"}
#: The Train knobs' values Explore last took over (not a widget key).
EXPLORE_SYNCED_KEY = "explore_synced_with"
#: The smoothing of the Train page's curves (TensorBoard's default weight).
TRAIN_SMOOTHING_KEY = "train_smoothing"
TRAIN_SMOOTHING_DEFAULT = 0.6
#: Train page knobs up front and under "More settings" (the table: :mod:`ui.train.knobs`), each a ``train_<name>`` widget key.
TRAIN_KNOBS, TRAIN_MORE_KNOBS = knobs.MAIN, knobs.MORE


def knob_key(name: str) -> str:
    return f"train_{name}"


def init_session_defaults() -> None:
    """Give every persistent value its default once per session."""
    state = st.session_state
    state.setdefault(SESSION_ID_KEY, uuid.uuid4().hex)  # app.py set the browser's first
    for key, value in EXPLORE_DEFAULTS.items():
        state.setdefault(key, value)
    if TRAIN_PRESET_KEY not in state:
        state[TRAIN_PRESET_KEY] = DEFAULT_PRESET
        state[TRAIN_BASE_KEY] = DEFAULT_PRESET
        apply_preset_values(DEFAULT_PRESET)
    state.setdefault(TRAIN_BASE_KEY, DEFAULT_PRESET)
    state.setdefault(TRAIN_RETRAIN_KEY, False)
    state.setdefault(TRAIN_SMOOTHING_KEY, TRAIN_SMOOTHING_DEFAULT)


def has_session_defaults() -> bool:
    """Whether :func:`init_session_defaults` ran in this session (``app.py`` did)."""
    return SESSION_ID_KEY in st.session_state


def session_seed() -> int:
    """This session's own seed (:func:`core.config.own_seed` of its owner id): what its presets train with."""
    return own_seed(st.session_state.get(SESSION_ID_KEY))


def apply_preset_values(name: str) -> None:
    """Set every Train knob to preset ``name``'s value, but the seed: this student's own, or the one they picked.

    A seed is not part of the network (:func:`core.config.preset_name`): each student trains
    a preset from their own random start, so each owns their run.
    """
    config = preset(name)
    for field in (*TRAIN_KNOBS, *TRAIN_MORE_KNOBS):
        if field != "seed":
            st.session_state[knob_key(field)] = getattr(config, field)
    st.session_state.setdefault(knob_key("seed"), session_seed())


def preset_for_session(name: str) -> TrainConfig:
    """Preset ``name`` with this session's seed (:func:`apply_preset_values`): what a "train this preset" button trains."""
    return preset(name).replace(seed=st.session_state.get(knob_key("seed"), session_seed()))


def knob_values() -> dict:
    """The Train knobs' current values, by config field name."""
    return {
        field: st.session_state[knob_key(field)]
        for field in (*TRAIN_KNOBS, *TRAIN_MORE_KNOBS)
        if knob_key(field) in st.session_state
    }


def config_from_knobs() -> TrainConfig:
    """The config the knobs describe, on top of the last preset picked (raises ConfigError)."""
    return preset(st.session_state[TRAIN_BASE_KEY]).replace(**knob_values())


def preset_changed() -> None:
    """The preset control's callback: a preset sets every knob; deselecting keeps them, as custom."""
    name = st.session_state.get(TRAIN_PRESET_KEY)
    if name is None:
        st.session_state[TRAIN_PRESET_KEY] = CUSTOM
    elif name != CUSTOM:
        st.session_state[TRAIN_BASE_KEY] = name
        apply_preset_values(name)


def knob_changed() -> None:
    """A knob's callback: the preset control shows the preset these knobs are, or custom."""
    try:
        name = preset_name(config_from_knobs())
    except ConfigError:
        name = None
    st.session_state[TRAIN_PRESET_KEY] = name or CUSTOM


# ---------------------------------------------------------------- Explore and Train share maxlen and num_words


def train_shared_values() -> dict:
    return {field: st.session_state[knob_key(field)] for field in EXPLORE_SHARED_KNOBS.values()}


def sync_explore_with_train() -> None:
    """Explore's maxlen and num_words take the Train knobs' values whenever those changed (Explore calls it first).

    One value each: a preset picked on Train shows on Explore too. Explore's own moves
    stay Explore's until :func:`use_explore_settings_for_training` carries them over, so
    looking at the data never changes what Train would train.
    """
    train = train_shared_values()
    if st.session_state.get(EXPLORE_SYNCED_KEY) != train:
        for key, field in EXPLORE_SHARED_KNOBS.items():
            st.session_state[key] = train[field]
        st.session_state[EXPLORE_SYNCED_KEY] = train


def explore_differs_from_train() -> dict:
    """The shared settings where Explore's slider differs from the Train knob: field -> (explore, train)."""
    train = train_shared_values()
    return {
        field: (st.session_state.get(key), train[field])
        for key, field in EXPLORE_SHARED_KNOBS.items()
        if st.session_state.get(key) != train[field]
    }


def use_explore_settings_for_training() -> None:
    """The Explore button's callback: Explore's maxlen and num_words become the Train knobs' values."""
    for key, field in EXPLORE_SHARED_KNOBS.items():
        st.session_state[knob_key(field)] = st.session_state[key]
    st.session_state[EXPLORE_SYNCED_KEY] = train_shared_values()
    knob_changed()


def send_to_predict(text: str, true_label: int | None = None) -> None:
    """Put ``text`` in the Predict page's review box, with its true label when it is a test review."""
    st.session_state[PREDICT_TEXT_KEY] = text
    st.session_state[PREDICT_TRUE_LABEL_KEY] = None if true_label is None else (text, int(true_label))


def true_label_of(text: str) -> int | None:
    """The true label sent with ``text`` (:func:`send_to_predict`), or None once the user changed the text."""
    sent = st.session_state.get(PREDICT_TRUE_LABEL_KEY)
    return sent[1] if isinstance(sent, tuple) and sent[0] == text else None
