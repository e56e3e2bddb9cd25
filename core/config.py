"""Training configurations: one validated, frozen object per run, and the presets.

:data:`FIELDS` is the single source of truth for each knob's allowed values: the
validation here, the app's sliders and the CLI flags all read it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from core.errors import ConfigError


@dataclass(frozen=True)
class Field:
    """Allowed values of one config field: a numeric range or a set of choices."""

    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple | None = None
    optional: bool = False  # None allowed


#: Where the embedding starts: ``learned`` (Keras's random init) or pretrained vectors (:mod:`core.model.word_vectors`).
EMBEDDINGS = ("learned", "glove-50d", "glove-100d", "glove-200d", "glove-300d", "glove-file")
#: The dimension of each GloVe 6B choice (``glove-file`` has its file's, checked against ``embedding_dim``).
GLOVE_DIMENSIONS = {"glove-50d": 50, "glove-100d": 100, "glove-200d": 200, "glove-300d": 300}
#: What a model learns from: the IMDB reviews, or the generated glass-box task (:mod:`core.data.glassbox`).
TASKS = ("imdb", "glassbox-not")

FIELDS: dict[str, Field] = {
    "task": Field(
        "what the model learns from: the IMDB reviews, or the glass-box task (generated short texts where a "
        "'not' up to 3 words before a sentiment word flips it: a job whose solution is known)",
        choices=TASKS,
    ),
    "num_words": Field("vocabulary size (ids below it are kept, the rest are OOV)", 100, 100_000, 100),
    "maxlen": Field("tokens kept per review (sequence length)", 10, 2500, 10),
    "keras_maxlen_filter": Field("drop reviews longer than maxlen, as keras.datasets.imdb does", choices=(False, True)),
    "padding": Field("side where short reviews are padded", choices=("pre", "post")),
    "truncating": Field("side cut from long reviews ('pre' keeps the end)", choices=("pre", "post")),
    "bucketing": Field("pad each batch only to its longest review (sorted in chunks)", choices=(True, False)),
    "mask_zero": Field("mask padding so the LSTM skips it", choices=(False, True)),
    "embedding_dim": Field("embedding size", 4, 512, 4),
    "embeddings": Field(
        "where the word vectors start: learned from scratch (random), or pretrained GloVe vectors that already "
        "place similar words near each other (50d ships with the lab; 100d-300d are downloaded once, 822 MB; "
        "glove-file: a GloVe file the server's operator provides). GloVe sets the embedding size to its own",
        choices=EMBEDDINGS,
    ),
    "embeddings_trainable": Field(
        "fine-tune the starting word vectors with the rest of the network (off: frozen as they start)",
        choices=(True, False),
    ),
    "conv_pool": Field(
        "shorten the sequence k-fold before the LSTM: Conv1D (window 5, or 2 x conv_stride) + max-pool k (1: off)",
        1,
        8,
        1,
    ),
    "conv_stride": Field(
        "with the conv front end: its windows are 2 x stride words wide, stride words apart (1: every word, "
        "window 5); the LSTM loops stride x conv_pool times fewer steps",
        1,
        8,
        1,
    ),
    "cell": Field("recurrent cell", choices=("lstm", "gru")),
    "units": Field("units per recurrent layer", 2, 512, 2),
    "layers": Field("stacked recurrent layers", 1, 3, 1),
    "pooling": Field(
        "what the classifier reads: the last state, the max over all steps, or the max and the mean over all "
        "steps side by side (max-mean)",
        choices=("last", "max", "max-mean"),
    ),
    "bidirectional": Field("read reviews in both directions", choices=(False, True)),
    "dropout": Field("dropout on the recurrent layers' inputs", 0.0, 0.9, 0.05),
    "recurrent_dropout": Field("dropout on the recurrent state (much slower on CPU)", 0.0, 0.9, 0.05),
    "dense_dropout": Field("dropout before the output layer", 0.0, 0.9, 0.05),
    "word_dropout": Field(
        "share of words dropped whole while training: a word's vector is zeroed at that place in the review "
        "(a regulariser that costs nothing on CPU, unlike recurrent dropout)",
        0.0,
        0.9,
        0.05,
    ),
    "optimizer": Field("optimizer", choices=("adam", "rmsprop")),
    "learning_rate": Field("learning rate", 1e-5, 1.0, None),
    "schedule": Field(
        "learning rate over time: constant, or cosine decay to zero by the last epoch", choices=("constant", "cosine")
    ),
    "warmup": Field(
        "share of all training steps over which the learning rate first rises from zero to its value "
        "(0: starts at full rate); the schedule follows from there",
        0.0,
        0.5,
        0.05,
    ),
    "clipnorm": Field("clip each weight's gradient to this norm before the update (0: no clipping)", 0.0, 10.0, 0.1),
    "average_weights": Field(
        "validate and keep a running average of the weights (Polyak averaging: EMA, momentum 0.99) "
        "instead of the last step's",
        choices=(False, True),
    ),
    "batch_size": Field("reviews per batch", 8, 1024, 8),
    "epochs": Field("maximum epochs", 1, 200, 1),
    "validation_fraction": Field("share of the training split held out for validation", 0.02, 0.5, 0.01),
    "patience": Field("epochs without validation improvement before stopping (0: never stop early)", 0, 50, 1),
    "seed": Field("random seed (shuffles, initial weights)", 0, 2**31 - 1, 1),
    "train_limit": Field("use only this many training reviews (quick demos, tests)", 50, 25_000, 50, optional=True),
    "test_limit": Field("evaluate on only this many test reviews (quick demos, tests)", 50, 25_000, 50, optional=True),
}


#: Fields added after runs were stored, with the value those runs had (see :meth:`TrainConfig.fingerprint`).
ADDED_LATER: dict[str, tuple] = {
    "task": ("imdb",),
    "average_weights": (False,),
    "conv_stride": (1,),
    "embeddings": ("learned",),
    "embeddings_trainable": (True,),
    "word_dropout": (0.0,),
    "warmup": (0.0,),
    "clipnorm": (0.0,),
}


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a trained model. Defaults are the default preset, ``lstm``."""

    task: str = "imdb"
    num_words: int = 20_000
    maxlen: int = 400
    keras_maxlen_filter: bool = False
    padding: str = "pre"
    truncating: str = "pre"
    bucketing: bool = True
    mask_zero: bool = False
    embedding_dim: int = 32
    embeddings: str = "learned"
    embeddings_trainable: bool = True
    conv_pool: int = 1
    conv_stride: int = 1
    cell: str = "lstm"
    units: int = 32
    layers: int = 1
    pooling: str = "max-mean"
    bidirectional: bool = False
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    dense_dropout: float = 0.0
    word_dropout: float = 0.0
    optimizer: str = "adam"
    learning_rate: float = 1e-2
    schedule: str = "cosine"
    warmup: float = 0.0
    clipnorm: float = 0.0
    average_weights: bool = False
    batch_size: int = 256
    epochs: int = 2
    validation_fraction: float = 0.1
    patience: int = 1
    seed: int = 113
    train_limit: int | None = None
    test_limit: int | None = None

    def __post_init__(self):
        if self.conv_pool == 1 and self.conv_stride != 1:
            # Without the conv front end there is no stride: one config (and one run id) per network.
            object.__setattr__(self, "conv_stride", 1)
        if isinstance(self.embeddings, str) and self.embeddings in GLOVE_DIMENSIONS:
            # GloVe's vectors have one size: the embedding is that size (one config, one run id, per network).
            object.__setattr__(self, "embedding_dim", GLOVE_DIMENSIONS[self.embeddings])
        validate(self)

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(sorted(unknown)[0], f"unknown setting (known: {', '.join(FIELDS)})")
        # A config stored before a field existed had that field's old value, whatever today's default is.
        return cls(**{**{name: old[0] for name, old in ADDED_LATER.items()}, **values})

    @property
    def effective_padding(self) -> str:
        """Masked models are always padded on the right.

        With a mask the LSTM skips padding either way, so the result is the same, but
        Keras 3 only runs cuDNN on GPUs with right-padded masks and raises otherwise.
        """
        return "post" if self.mask_zero else self.padding

    @property
    def conv_kernel(self) -> int:
        """Words each convolution window reads: 5 at stride 1, else twice the stride (windows overlap by half)."""
        return 5 if self.conv_stride == 1 else 2 * self.conv_stride

    @property
    def shortening(self) -> int:
        """How many times fewer steps the recurrent loop runs than there are words (1: no conv front end)."""
        return self.conv_pool * self.conv_stride if self.conv_pool > 1 else 1

    @property
    def cudnn_ready(self) -> bool:
        """On a GPU, Keras runs this network's recurrent layers on cuDNN (GPU workers take it).

        cuDNN's kernels have no recurrent dropout; masks are right-padded (above).
        """
        return self.recurrent_dropout == 0

    def fingerprint(self) -> str:
        """A short hash of every setting, part of the run id.

        A field added later is left out while it has the value every older run had
        (:data:`ADDED_LATER`), so a stored run keeps its id and is still found as cached.
        """
        values = {k: v for k, v in self.to_dict().items() if ADDED_LATER.get(k, ()) != (v,)}
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:12]

    def summary(self) -> str:
        cell = ("Bi" if self.bidirectional else "") + self.cell.upper()
        parts = [
            f"{self.layers}x{cell}({self.units})",
            f"emb {self.embedding_dim}",
            f"vocab {self.num_words}",
            f"len {self.maxlen}",
            f"{self.optimizer} {self.learning_rate:g}" + (" cosine" if self.schedule == "cosine" else ""),
            f"batch {self.batch_size}",
        ]
        if self.dropout or self.recurrent_dropout:
            parts.append(f"dropout {self.dropout:g}/{self.recurrent_dropout:g}")
        if self.word_dropout:
            parts.append(f"word dropout {self.word_dropout:g}")
        if self.warmup:
            parts.append(f"warm-up {self.warmup:g}")
        if self.clipnorm:
            parts.append(f"clip {self.clipnorm:g}")
        if self.mask_zero:
            parts.append("mask")
        if self.conv_pool > 1:
            parts.append(
                f"conv/{self.conv_pool}"
                if self.conv_stride == 1
                else f"conv {self.conv_kernel} stride {self.conv_stride}, pool/{self.conv_pool}"
            )
        if self.pooling != "last":
            parts.append(f"{self.pooling}-pool")
        if self.average_weights:
            parts.append("weight average")
        if self.embeddings != "learned":
            parts.append(f"{self.embeddings} {'fine-tuned' if self.embeddings_trainable else 'frozen'}")
        return ("glass-box task: " if self.task != TASKS[0] else "") + ", ".join(parts)


def validate(config: TrainConfig) -> None:
    """Raise :class:`ConfigError` naming the first bad field and its allowed values."""
    for name, rule in FIELDS.items():
        value = getattr(config, name)
        if value is None and rule.optional:
            continue
        if rule.choices is not None:
            if value not in rule.choices or type(value) is not type(rule.choices[0]):
                raise ConfigError(name, f"{value!r} is not one of {', '.join(map(repr, rule.choices))}")
            continue
        integral = rule.step is not None and float(rule.step).is_integer()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integral and not isinstance(value, int)):
            kind = "an integer" if integral else "a number"
            raise ConfigError(name, f"{value!r} is not {kind}; allowed {rule.low:g} to {rule.high:g}")
        if not (rule.low <= value <= rule.high):  # also false for NaN
            raise ConfigError(name, f"{value!r} is outside the allowed range {rule.low:g} to {rule.high:g}")
    if config.conv_pool > 1 and config.mask_zero:
        raise ConfigError("conv_pool", "a convolution front end cannot carry the padding mask; set mask_zero off")
    if config.pooling != "last" and config.mask_zero:
        raise ConfigError(
            "pooling", f"{config.pooling!r} pooling cannot skip masked padding; use 'last' or mask_zero=False"
        )
    if config.train_limit is not None and config.train_limit * config.validation_fraction < 1:
        raise ConfigError("validation_fraction", "leaves no validation reviews with this train_limit")


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    origin: str
    config: TrainConfig


#: The conv front end network that was this lab's default before ``lstm`` (the ``conv-lstm`` preset):
#: the fastest to 0.875 here, but its LSTM reads one pooled summary per 16 words, not words.
CONV_LSTM = TrainConfig(
    maxlen=300,
    pooling="max",
    dropout=0.2,
    embedding_dim=56,
    conv_pool=4,
    conv_stride=4,
    units=56,
    learning_rate=2e-3,
    batch_size=64,
    epochs=1,
)

PRESETS: dict[str, Preset] = {
    "lstm": Preset(
        "lstm",
        "A word-level LSTM, one step per word: Embedding(20000, 32) -> LSTM(32), whose outputs at every step "
        "the classifier reads twice, as their max and their mean over all steps (so every word's step reaches "
        "the verdict directly, and the LSTM learns in two epochs) -> Dense(1). Length 400 (the end of longer "
        "reviews) with length bucketing, no mask, no dropout (two epochs, the best by validation kept), Adam "
        "1e-2 with cosine decay to zero, batch 256. Measured: 0.875-0.879 test accuracy on three seeds, about "
        "20 s of training on a 2-core Xeon (your machine may differ).",
        "This lab's own benchmark of time to accuracy on a 2-core CPU.",
        TrainConfig(),
    ),
    "conv-lstm": Preset(
        "conv-lstm",
        "The fastest to 0.875 here, at a price: Embedding(20000, 56) -> Conv1D(56, 8, stride 4) + max-pool 4 "
        "(the LSTM reads one summary per 16 words, not words) -> LSTM(56, dropout 0.2) read by a max over all "
        "steps -> Dense(1). Length 300 bucketed, no mask, Adam 2e-3 with cosine decay within its one epoch, "
        "batch 64. About 0.878 test accuracy after that epoch. Called `fast` before the word-level default.",
        "This lab's own benchmark of time to accuracy on a 2-core CPU.",
        CONV_LSTM,
    ),
    "bilstm": Preset(
        "bilstm",
        "Reads in both directions, so the words after a 'not' or a 'but' count: Embedding(30000, 128) -> "
        "Conv1D(64, 5) + max-pool 2 -> Bidirectional LSTM(64, dropout 0.3) read by a max over all steps -> "
        "Dense(1). Length 400 bucketed, Adam 2e-3 cosine, batch 64, 3 epochs, best validation epoch kept. "
        "Measured on a 2-core Xeon: 0.884 test accuracy in about 115 s of training (0.875 after 40 s), "
        "0.65 on the word-order probes, as many as the bigram baseline (0.890 in 170 s on an older 2-core "
        "machine). It does not reach the baseline's 0.906 test accuracy; blended with it, 0.908.",
        "This lab's own measurements against the bag-of-words baseline.",
        CONV_LSTM.replace(
            bidirectional=True,
            conv_pool=2,
            conv_stride=1,
            maxlen=400,
            embedding_dim=128,
            units=64,
            num_words=30_000,
            dropout=0.3,
            epochs=3,
        ),
    ),
    "glove-bilstm": Preset(
        "glove-bilstm",
        "The best pure LSTM here, and the tutorial's own next step: pretrained word vectors. One step per word, "
        "read both ways: Embedding(20000, 50) starting from GloVe 6B 50d (fine-tuned) -> Bidirectional "
        "LSTM(64) read by the max and the mean over all steps -> Dense(1). Length 800 bucketed (1.8% of "
        "reviews cut, against 13% at 400), Adam 1e-2 with cosine decay over 3 epochs, batch 256, the best "
        "validation epoch kept. "
        "Measured on a 2-core Xeon: 0.902 and 0.898 test accuracy on two seeds (the epoch validation chose), "
        "about 97 s of training (0.875 after 33 s), 0.59-0.60 on the word-order probes against the bag of "
        "words' 0.65; blended with it, 0.908-0.913.",
        "This lab's recipe study towards 0.90 (Dai & Le 2015 report about 0.90 for an LSTM started from "
        "pretrained vectors).",
        TrainConfig(embeddings="glove-50d", bidirectional=True, maxlen=800, units=64, epochs=3, patience=2),
    ),
    "overfit-demo": Preset(
        "overfit-demo",
        "Overfitting, live, in class time: Embedding(20000, 64) -> Conv1D(64, 5) + max-pool 4 -> LSTM(64), "
        "no dropout, read by a max over all steps -> Dense(1), length 400 bucketed, trained on only 2,000 "
        "reviews (1,800 to learn from, 200 held out for validation) for 12 epochs at a constant Adam 3e-3, "
        "batch 64, nothing stopping it early. Training loss falls towards 0 while validation loss turns up "
        "after a few epochs: the lesson the tutorial needed 200 epochs to show.",
        "This lab's classroom demo of overfitting within one lesson.",
        CONV_LSTM.replace(
            train_limit=2000,
            conv_stride=1,
            maxlen=400,
            embedding_dim=64,
            units=64,
            dropout=0.0,
            epochs=12,
            patience=0,
            schedule="constant",
            learning_rate=3e-3,
        ),
    ),
    "tutorial-v1": Preset(
        "tutorial-v1",
        "The tutorial's first network: Embedding(5000, 64, mask_zero=True) -> LSTM(30) -> "
        "Dense(1, sigmoid), maxlen 800, rmsprop, batch 128. Overfits: train 1.0 vs test 0.853 after 200 epochs.",
        "The Keras IMDB LSTM tutorial, first model.",
        TrainConfig(
            num_words=5000,
            maxlen=800,
            padding="pre",
            truncating="pre",
            bucketing=False,
            mask_zero=True,
            embedding_dim=64,
            conv_pool=1,
            units=30,
            pooling="last",
            dropout=0.0,
            optimizer="rmsprop",
            learning_rate=1e-3,
            schedule="constant",
            batch_size=128,
            epochs=10,
            patience=0,
        ),
    ),
    "tutorial-final": Preset(
        "tutorial-final",
        "The tutorial's final network: maxlen 200 with Keras's filtering of longer reviews, "
        "Embedding(5000, 128, mask_zero=True), two stacked LSTM(64, dropout=0.1, recurrent_dropout=0.1), "
        "rmsprop, batch 32. Reported validation accuracy 0.872-0.876.",
        "The Keras IMDB LSTM tutorial, final model.",
        TrainConfig(
            num_words=5000,
            maxlen=200,
            keras_maxlen_filter=True,
            padding="pre",
            truncating="pre",
            bucketing=False,
            mask_zero=True,
            embedding_dim=128,
            conv_pool=1,
            units=64,
            layers=2,
            pooling="last",
            dropout=0.1,
            recurrent_dropout=0.1,
            optimizer="rmsprop",
            learning_rate=1e-3,
            schedule="constant",
            batch_size=32,
            epochs=10,
            patience=0,
        ),
    ),
    "glassbox": Preset(
        "glassbox",
        "The glass-box task, not movie reviews: generated short texts of IMDB words where a 'not' up to 3 "
        "words before a sentiment word flips it ('the film was not really good' is negative; a 'not' after "
        "it changes nothing). A tiny Embedding(100, 8) -> LSTM(6) read at its last step -> Dense(1), Adam "
        "2e-2 cosine, 6 epochs on 3,600 examples: about 1.0 accuracy in a few seconds. Open its run in "
        "Predict's X-ray to watch a gate remember 'not' before the real model.",
        "This lab's own teaching task; its data is generated, never IMDB's.",
        TrainConfig(
            task="glassbox-not",
            num_words=100,
            maxlen=20,
            embedding_dim=8,
            units=6,
            pooling="last",
            learning_rate=2e-2,
            batch_size=64,
            epochs=6,
            patience=0,
        ),
    ),
}
DEFAULT_PRESET = "lstm"
#: Presets renamed after runs were stored under their old name: new name -> the old name in those run ids.
RENAMED_PRESETS: dict[str, str] = {"conv-lstm": "fast"}
#: What a config that is no preset is called, on every page, in run ids and in the CLI.
CUSTOM = "custom"


def preset(name: str) -> TrainConfig:
    try:
        return PRESETS[name].config
    except KeyError:
        raise ConfigError("preset", f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None


#: Fields that say how long, on how much or from which random draw a network trains, not which network it is.
_NOT_THE_NETWORK = {"epochs": 1, "seed": 0}


def preset_name(config: TrainConfig) -> str | None:
    """The preset ``config`` is, or None: the one home of "which preset is this".

    Epochs and the seed are ignored: they say how long a network trains and which random
    start it draws, not which network it is, so ``lstm`` trained for 3 epochs, or with a
    student's own seed (:func:`own_seed`), is still ``lstm`` on the Train page, in the
    runs table and in its run id. The test-only slice limits are ignored too, except where
    the preset sets one itself (``overfit-demo`` is 2,000 reviews by design).
    """
    for name, entry in PRESETS.items():
        limits = {"train_limit": entry.config.train_limit, "test_limit": entry.config.test_limit}
        plain = config.replace(**_NOT_THE_NETWORK)
        if entry.config.replace(**_NOT_THE_NETWORK) in (plain, plain.replace(**limits)):
            return name
    return None


#: Own seeds are 1 to this: five digits read at a glance on the board and fit the seed box (two students
#: sharing one still own a run each: :meth:`core.runs.store.RunStore.find_cached` hands out only one's own).
OWN_SEEDS = 99_999


def own_seed(owner: str | None) -> int:
    """A seed of this owner's own (a browser, :mod:`ui.classroom.identity`): stable for them, different between them.

    Every student who trains a preset trains it from their own random start, so each owns
    a run and the class board shows how far accuracy moves with the seed alone. No owner
    (the command line): the preset's own seed.
    """
    if not owner:
        return TrainConfig().seed
    return 1 + int(hashlib.sha256(f"seed|{owner}".encode()).hexdigest()[:12], 16) % OWN_SEEDS


def preset_label(config: TrainConfig) -> str:
    """:func:`preset_name`, or :data:`CUSTOM`."""
    return preset_name(config) or CUSTOM
