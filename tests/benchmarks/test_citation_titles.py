"""The quality benchmark reads citation titles without what literature databases append
to them (examples from the bib-dedupe sets), so that pairwise matching compares titles."""

from __future__ import annotations

import pytest

from tests.benchmarks.dedup_quality import _citation_title


@pytest.mark.parametrize(
    ("exported", "title"),
    [
        ("Cervical neoplasia and the HIV-infected patient. [Review] [70 refs]",
         "Cervical neoplasia and the HIV-infected patient"),
        ("Clinical aspects of the complement system]. [Japanese",
         "Clinical aspects of the complement system"),
        ("Evaluating the risk of cervical precancer.[Erratum appears in Cancer Epidemiol "
         "Biomarkers Prev. 2006 Jan;15(1):187]", "Evaluating the risk of cervical precancer"),
        ("Antibiotic and antiseptic prophylaxis in thoracic surgery. A randomized study. "
         "<ORIGINAL> PROPHYLAXIE ANTIBIOTIQUE ET ANTISEPTIQUE EN CHIRURGIE THORACIQUE",
         "Antibiotic and antiseptic prophylaxis in thoracic surgery. A randomized study"),
        ("Crowdwork: Applying a relational inequality theory [Arbeiten in der Crowd]",
         "Crowdwork: Applying a relational inequality theory"),
        ("[A new paracentesis needle for ascites and pleural effusion]",
         "A new paracentesis needle for ascites and pleural effusion"),
        ("Working in the digitized economy: HRM theory &amp; practice",
         "Working in the digitized economy: HRM theory & practice"),
    ],
)
def test_database_annotations_are_left_out_of_the_title(exported: str, title: str) -> None:
    assert _citation_title(exported) == title


def test_a_title_that_is_all_annotation_is_kept() -> None:
    assert _citation_title("[Chinese]") == "Chinese"
