"""Per-student variants of an exercise sheet: numbers that cannot be copied from a neighbour.

A sheet that has variants lists them in its check module (``VARIANTS``: one dict of values per
variant, variant 0 being the sheet's original numbers) and its multiple-choice questions
(``CHOICES``: ``{name: (right key, {key: option text})}``). Near its top, the sheet asks for the
student's id and picks the variant::

    STUDENT_ID = "alice"                 # the id your instructor grades you under
    variant = sheet_variant("01", STUDENT_ID)

The variant is a pure function of the sheet and the id (SHA-256, :func:`variant_index`), so
the student, the checks and the grader all find the same one. **The grader's id wins:**
``sfa-grade`` starts every kernel with the environment variable :data:`ENV` set to the id that
names the submission, and :func:`sheet_variant` then ignores the id written in the notebook (a
sheet worked with someone else's id is graded with the student's own numbers, and fails where
it copied). Without an id, the default variant 0 is used and a one-line note says so.

The check functions read the active variant with :func:`active` and compute their references
with the variant's values; multiple-choice options are shown in a per-variant order
(:meth:`Variant.show_choices`) and a letter is mapped back to its option
(:meth:`Variant.chosen_key`). The option keys are short names of the options' content, so
naming the right key (``variant.letter_of("reset_limit", "cap")``, what the instructor's
solution writes) is answering the question.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import random
import types
import unicodedata

__all__ = ["ENV", "Variant", "sheet_variant", "active", "variant_index", "student_of"]

#: The environment variable through which the grader names the student it grades.
ENV = "SFA_STUDENT_ID"
LETTERS = "abcdefgh"

_ACTIVE: dict = {}


def student_of(declared=None) -> "str | None":
    """The student whose variant applies: the grader's id (:data:`ENV`) if set, else the id
    written in the notebook (``declared``), else None."""
    graded = os.environ.get(ENV, "").strip()
    if graded:
        return graded
    if isinstance(declared, str) and declared.strip():
        return declared.strip()
    return None


def normal_id(student: str) -> str:
    """An id as the variants compare it: Unicode NFC, no surrounding spaces, without case (so
    ``"José"`` typed on any keyboard, or ``" Alice"``, is the same student)."""
    return unicodedata.normalize("NFC", student).strip().casefold()


def variant_index(sheet: str, student: str, count: int) -> int:
    """The variant (0 .. count - 1) of ``student`` on ``sheet``: SHA-256 of both, so it is the
    same on every machine and Python version; ids are compared by :func:`normal_id`."""
    digest = hashlib.sha256(f"sfa-variant|{sheet}|{normal_id(student)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


@functools.lru_cache(maxsize=None)
def _tables(sheet: str):
    """The sheet's variants and questions, read once per process and frozen: what a notebook
    later does to the lists in the check module changes no variant."""
    module = importlib.import_module(f".lesson{sheet}", __package__)
    variants = tuple(types.MappingProxyType(dict(v)) for v in module.VARIANTS)
    choices = types.MappingProxyType({name: (right, types.MappingProxyType(dict(options)))
                                      for name, (right, options) in getattr(module, "CHOICES", {}).items()})
    return variants, choices


class Variant:
    """The values of one variant of a sheet (attributes), and its order of the options. Read
    only: the checks never trust it anyway under the grader (:func:`active` builds its own)."""

    __slots__ = ("sheet", "index", "student", "count", "values", "_choices")

    def __init__(self, sheet: str, index: int, student: "str | None"):
        variants, choices = _tables(sheet)
        if not 0 <= index < len(variants):
            raise ValueError(f"variant: sheet {sheet} has variants 0 to {len(variants) - 1}, not {index}")
        for name, value in (("sheet", sheet), ("index", index), ("student", student),
                            ("count", len(variants)), ("values", variants[index]), ("_choices", choices)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("a variant is read only")

    __delattr__ = __setattr__

    def __getattr__(self, name):
        values = object.__getattribute__(self, "values")
        if name in values:
            return values[name]
        raise AttributeError(f"the variants of sheet {object.__getattribute__(self, 'sheet')} "
                             f"have no value {name!r}")

    def order(self, question: str) -> list:
        """The option keys of ``question`` in this variant's order (variant 0: as written). The
        right option moves one place on with each variant, so the variants spread it over every
        letter; the others are shuffled with a seed of the sheet, question and variant."""
        right, options = self._choices[question]
        keys = list(options)
        if not self.index:
            return keys
        others = [k for k in keys if k != right]
        random.Random(f"{self.sheet}|{question}|{self.index}").shuffle(others)
        where = (keys.index(right) + self.index) % len(keys)
        return others[:where] + [right] + others[where:]

    def choices_markdown(self, question: str) -> str:
        """The options of ``question`` as a Markdown list lettered a, b, c, ..."""
        _, options = self._choices[question]
        return "\n".join(f"* **{LETTERS[k]}** {options[key]}" for k, key in enumerate(self.order(question)))

    def show_choices(self, question: str) -> None:
        """Display the options of ``question`` (Markdown in a notebook, text elsewhere)."""
        text = self.choices_markdown(question)
        try:
            from IPython.display import Markdown, display
        except ImportError:  # pragma: no cover - IPython comes with Jupyter
            print(text)
            return
        display(Markdown(text))

    def chosen_key(self, question: str, letter):
        """The option key a letter names in this variant (None if it names none)."""
        if not isinstance(letter, str):
            return None
        letter = letter.strip().lower()
        keys = self.order(question)
        return keys[LETTERS.index(letter)] if len(letter) == 1 and letter in LETTERS[:len(keys)] else None

    def letter_of(self, question: str, key: str) -> str:
        """The letter under which this variant shows the option ``key`` of ``question``."""
        return LETTERS[self.order(question).index(key)]

    def letters(self, question: str) -> str:
        return LETTERS[:len(self._choices[question][1])]

    def describe(self) -> str:
        who = f"student {self.student!r}" if self.student else "no STUDENT_ID given: the default variant"
        return f"sheet {self.sheet}, variant {self.index} (of 0 to {self.count - 1}; {who})"

    def __repr__(self):
        return f"Variant({self.describe()})"


def sheet_variant(sheet: str, student=None, *, quiet: bool = False) -> Variant:
    """The variant of ``sheet`` for ``student`` (see the module docstring; the grader's id wins),
    made the active one for the sheet's checks, and printed unless ``quiet``."""
    sheet = str(sheet)
    variants, _ = _tables(sheet)
    who = student_of(student)
    index = variant_index(sheet, who, len(variants)) if who else 0
    variant = Variant(sheet, index, who)
    _ACTIVE[sheet] = variant
    if not quiet:
        print(f"Your numbers: {variant.describe()}.")
    return variant


def active(sheet: str) -> Variant:
    """The variant the sheet's checks use: under the grader (:data:`ENV` set) always the graded
    student's, whatever the notebook did; otherwise the last one :func:`sheet_variant` picked in
    this process for ``sheet``, else variant 0."""
    sheet = str(sheet)
    who = student_of()
    if os.environ.get(ENV, "").strip():
        variants, _ = _tables(sheet)
        return Variant(sheet, variant_index(sheet, who, len(variants)), who)
    current = _ACTIVE.get(sheet)
    return current if current is not None else Variant(sheet, 0, None)
