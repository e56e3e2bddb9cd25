"""Which preset a config is: one answer for the Train page, the runs table, run ids and the CLI."""

from __future__ import annotations

from core.config import CUSTOM, PRESETS, TrainConfig, own_seed, preset, preset_label, preset_name
from core.runs.store import base_run_id, stored_run_ids


def test_presets_are_recognised_whatever_the_slice():
    assert preset_name(preset("tutorial-v1").replace(train_limit=300, test_limit=300)) == "tutorial-v1"
    assert preset_name(preset("lstm").replace(units=8)) is None
    assert preset_label(preset("lstm").replace(units=8)) == CUSTOM


def test_epochs_do_not_change_which_network_a_config_is():
    """`lstm` trained for 3 epochs is still `lstm`: same label for the run id, the runs table and the Train page."""
    three_epochs = preset("lstm").replace(epochs=3)
    assert preset_name(three_epochs) == "lstm"
    assert base_run_id(three_epochs, "data").startswith("lstm-")
    assert base_run_id(three_epochs, "data") != base_run_id(preset("lstm"), "data")  # but not the same run


def test_every_preset_is_itself_with_any_seed_or_slice_and_a_student_has_a_seed_of_their_own():
    """A student's own seed keeps a preset that preset (each owns a run of it); overfit-demo's own 2,000 reviews too."""
    for name, entry in PRESETS.items():
        assert preset_name(entry.config) == name
        assert preset_name(entry.config.replace(seed=own_seed("ada"), train_limit=300, test_limit=300)) == name
    assert preset_name(preset("conv-lstm").replace(units=64)) is None
    assert own_seed("ada") == own_seed("ada") != own_seed("bob") and own_seed(None) == preset("lstm").seed
    seeded = preset("lstm").replace(seed=own_seed("ada"))
    assert base_run_id(seeded, "data").startswith("lstm-") and base_run_id(seeded, "data") != base_run_id(
        preset("lstm"), "data"
    )
    assert stored_run_ids(seeded, "data")[1].startswith("custom-")  # where such a run was stored before


def test_a_stride_exists_only_with_the_conv_front_end_and_old_runs_read_as_stride_1():
    assert TrainConfig(conv_pool=1, conv_stride=4).conv_stride == 1  # one config per network
    assert TrainConfig(conv_pool=4, conv_stride=4).shortening == 16
    assert TrainConfig(conv_pool=4, conv_stride=4).conv_kernel == 8
    stored = TrainConfig(conv_pool=4, conv_stride=1).to_dict()
    del stored["conv_stride"]  # written before the knob existed
    old = TrainConfig.from_dict(stored)
    assert old.conv_stride == 1 and old.fingerprint() == TrainConfig(conv_pool=4, conv_stride=1).fingerprint()


def test_runs_stored_before_word_vectors_read_as_learned_and_keep_their_ids():
    """A run.json written before ``embeddings`` existed: learned, fine-tuned, and the same fingerprint as then."""
    stored = preset("lstm").to_dict()
    del stored["embeddings"], stored["embeddings_trainable"]
    old = TrainConfig.from_dict(stored)
    assert (old.embeddings, old.embeddings_trainable) == ("learned", True)
    # The fingerprints these presets had before the knob existed (run ids on disk carry them).
    assert old.fingerprint() == "0e301c0ad8a7"
    assert preset("conv-lstm").fingerprint() == "e5ad44ba92dd" and preset("bilstm").fingerprint() == "736eb88a679d"
    assert base_run_id(old, "data") == base_run_id(preset("lstm"), "data")
    glove = preset("lstm").replace(embeddings="glove-50d")
    assert glove.embedding_dim == 50 and preset_name(glove) is None  # GloVe's size; no longer the preset
    frozen = glove.replace(embeddings_trainable=False)
    assert len({glove.fingerprint(), frozen.fingerprint(), old.fingerprint()}) == 3
    assert "glove-50d frozen" in frozen.summary()
