"""oai_dc checks: strict for the standard profile, tolerant for SLiMS (pure)."""

from __future__ import annotations

import pytest
from lxml import etree

from harvesters.oai.dublin_core import DublinCoreError, check_oai_dc, check_oai_dc_root

DC = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/">{}</oai_dc:dc>')


def _dc(body: str) -> etree._Element:
    return etree.fromstring(DC.format(body))


def test_valid_oai_dc_passes_the_strict_check():
    element = _dc("<dc:title>Bumi manusia</dc:title><dc:creator>Toer, Pramoedya</dc:creator>")
    assert check_oai_dc(element) is element


def test_invented_dc_element_fails_the_strict_check():
    with pytest.raises(DublinCoreError, match="dc:identifier_isbn"):
        check_oai_dc(_dc("<dc:identifier_isbn>9789799731234</dc:identifier_isbn>"))


def test_dcterms_refinement_fails_the_strict_check():
    with pytest.raises(DublinCoreError, match="dc:extent"):
        check_oai_dc(_dc("<dc:extent>xiv, 392 p.</dc:extent>"))


def test_nested_elements_fail_the_strict_check():
    with pytest.raises(DublinCoreError, match="child elements"):
        check_oai_dc(_dc("<dc:title><b>x</b></dc:title>"))


def test_other_root_fails_both_checks():
    for check in (check_oai_dc, check_oai_dc_root):
        with pytest.raises(DublinCoreError):
            check(etree.fromstring("<dc/>"))


def test_tolerant_check_keeps_slims_elements_untouched():
    element = _dc("<dc:identifier_isbn>0764541668</dc:identifier_isbn>"
                  "<dc:hasPart>B00003</dc:hasPart><image>http://x/c.jpg</image>")
    before = etree.tostring(element)
    assert check_oai_dc_root(element) is element
    assert etree.tostring(element) == before
