"""Match keys: identifiers, title keys, volumes, editions, publishers, extents, series and
the blocking keys that pick candidate pairs.

Where a behaviour shows in the real Library of Congress records of Indonesian books, the
record is read from the shared MARC file and named by its LCCN.
"""

from __future__ import annotations

from dataclasses import replace

from tests.support.loc import loc
from union.bib_record import Agent, BibRecord
from union.dedup.description_keys import parse_extent, publisher_key
from union.dedup.editions import parse_edition
from union.dedup.identifiers import identifiers_of
from union.dedup.keys import author_keys, blocking_keys
from union.dedup.numbering import volume_from_text, volume_of
from union.dedup.series import series_numbers
from union.dedup.title_words import title_key, title_words

# ----------------------------------------------------------------------------- identifiers


def test_isbn10_is_compared_as_isbn13() -> None:
    record = BibRecord(title="Mangir", isbns=("9799023408",))
    assert identifiers_of(record).isbns == {"9789799023407"}


def test_invalid_isbn_is_not_an_identifier() -> None:
    record = BibRecord(title="Mangir", isbns=("9799023409",), invalid_isbns=("9799023409",))
    assert identifiers_of(record).isbns == frozenset()


def test_every_isbn_of_a_record_counts() -> None:
    # LoC 00280830 prints two ISBNs, one on the back cover.
    assert identifiers_of(loc("00280830")).isbns == {"9789799573117", "9789799573100"}


# -------------------------------------------------------------------------------- titles


def test_title_key_ignores_case_accents_and_punctuation() -> None:
    assert title_key("Pratèlan Temboeng DJAWI!") == title_key("pratelan tembung jawi")


def test_title_key_joins_title_and_subtitle() -> None:
    assert title_key("Sang kantjil", "tokoh tjerita binatang Indonesia") == (
        "sang kancil tokoh cerita binatang indonesia"
    )


def test_leading_english_dutch_and_indonesian_articles_are_dropped() -> None:
    assert title_key("The Catalogue of the Indonesia National Gallery") == title_key(
        "Catalogue Indonesia National Gallery"
    )
    assert title_key("De Indische gids") == title_key("Indische gids")
    assert title_key("Sebuah kajian hukum") == title_key("Kajian hukum")


def test_an_article_alone_is_kept() -> None:
    assert title_key("The") == "the"


def test_indonesian_stop_words_are_dropped() -> None:
    assert title_key("Sejarah dan budaya di Jawa dari masa ke masa yang untuk dalam pada") == (
        "sejarah budaya jawa masa masa"
    )


def test_stop_words_do_not_hide_a_different_word() -> None:
    assert title_key("Perdagangan dalam negeri") != title_key("Perdagangan luar negeri")


def test_old_spelling_title_key_equals_modern_title_key() -> None:
    # LoC 00365225 (1971): "Sedjarah perkembangan Angkatan Darat [microform]".
    assert title_key(loc("00365225").title) == title_key("Sejarah perkembangan Angkatan Darat")


def test_common_abbreviations_in_titles_are_expanded() -> None:
    assert title_key("Potensi keagamaan di Kab. Bantaeng") == title_key(
        "Potensi keagamaan di Kabupaten Bantaeng"
    )
    assert title_key("Departemen Kesehatan RI") == title_key(
        "Departemen Kesehatan Republik Indonesia"
    )


def test_abbreviated_words_are_remembered() -> None:
    assert title_words("Laporan Lemb. Penelitian").abbreviations == {"lemb"}


def test_words_that_folding_changed_keep_their_written_form() -> None:
    words = title_words("Sedjarah Propinsi Djambi dan Kab. Kerinci")
    assert words.words == ("sejarah", "provinsi", "jambi", "kabupaten", "kerinci")
    assert words.written == (("sejarah", "sedjarah"), ("provinsi", "propinsi"),
                             ("jambi", "djambi"), ("kabupaten", "kab"))


def test_a_period_closing_the_title_does_not_make_an_abbreviation() -> None:
    assert title_words("Pariwisata Bali.").abbreviations == frozenset()


def test_bracketed_designations_and_interpolations_are_removed() -> None:
    assert title_key("Bumi manusia [microform]") == title_key("Bumi manusia")
    assert title_key("Freezone [sic] dan traktat") == title_key("Freezone dan traktat")
    # Brackets around supplied words go, the words stay.
    assert title_key("[Laporan tahunan]") == "laporan tahunan"


def test_volume_and_edition_phrases_are_left_out_of_the_title_key() -> None:
    assert title_key("Sejarah Indonesia, jilid 2") == title_key("Sejarah Indonesia")
    assert title_key("Matematika edisi revisi") == title_key("Matematika")


# -------------------------------------------------------------------------------- volumes


def test_volume_number_after_jilid() -> None:
    assert volume_from_text("Sejarah nasional Indonesia jilid 2") == "2"


def test_volume_number_in_roman_after_jil() -> None:
    assert volume_from_text("Ensiklopedi Islam, jil. II") == "2"


def test_volume_number_after_vol() -> None:
    assert volume_from_text("Bunga rampai, vol. 3") == "3"


def test_volume_number_as_an_ordinal_word_after_bagian() -> None:
    assert volume_from_text("Babad Tanah Jawi bagian kedua") == "2"


def test_volume_number_after_buku_and_ke() -> None:
    assert volume_from_text("Pelajaran bahasa buku 1") == "1"
    assert volume_from_text("Tafsir jilid ke-3") == "3"


def test_volume_range_is_kept_as_a_range() -> None:
    assert volume_from_text("Himpunan peraturan, jil. 1-2") == "1-2"


def test_old_spelling_djilid_is_a_volume() -> None:
    assert volume_from_text("Sedjarah Indonesia djilid III") == "3"


def test_bagian_without_a_number_is_not_a_volume() -> None:
    # Real titles: "... sebagai bagian dari pengembangan agribisnis nasional",
    # "Kemampuan berbahasa Indonesia baku Bagian Penyiaran Radio Republik Indonesia".
    assert volume_from_text("sebagai bagian dari pengembangan agribisnis nasional") is None
    assert volume_from_text("Bagian Penyiaran Radio Republik Indonesia") is None


def test_buku_as_a_word_of_the_title_is_not_a_volume() -> None:
    # Real title: "Buku putih tragedi kemanusiaan dalam kerusuhan di Maluku".
    assert volume_from_text("Buku putih tragedi kemanusiaan") is None


def test_jilbab_is_not_a_jilid() -> None:
    # Real title: "Pandangan masyarakat kampus IAIN Alauddin Ujungpandang tentang jilbab".
    assert volume_from_text("Pandangan masyarakat kampus tentang jilbab") is None


def test_the_number_of_a_law_is_not_a_volume() -> None:
    # Real title: "Undang-Undang Republik Indonesia nomor 25 tahun 1999 ...".
    assert volume_from_text("Undang-Undang Republik Indonesia nomor 25 tahun 1999") is None


def test_volume_from_the_part_number_field() -> None:
    # LoC: "Digul publications. $n Part 1 $h [microform]".
    record = BibRecord(title="Digul publications", part_number="Part 1")
    assert volume_of(record) == "1"
    assert volume_of(replace(record, part_number="II")) == "2"


def test_record_without_volume_has_none() -> None:
    assert volume_of(loc("00365801")) is None


# ------------------------------------------------------------------------------- editions


def test_cetakan_is_a_printing_not_an_edition() -> None:
    statement = parse_edition("Cet. 2.")
    assert statement.printing == 2
    assert statement.number is None and not statement.is_stated


def test_cetakan_ke_3_is_the_third_printing() -> None:
    assert parse_edition("cetakan ke-3").printing == 3
    assert parse_edition("Cetakan pertama, Januari 2001").printing == 1


def test_edisi_revisi_names_an_edition() -> None:
    statement = parse_edition("Edisi revisi")
    assert statement.qualifiers == {"revisi"}
    assert statement.names_edition


def test_edition_numbers_in_indonesian_and_english() -> None:
    assert parse_edition("Ed. 2.").number == 2
    assert parse_edition("edisi kedua").number == 2
    assert parse_edition("2nd ed.").number == 2


def test_edition_and_printing_in_one_statement() -> None:
    # Real LoC statements.
    assert parse_edition("Ed. 1., cet. 1.") == parse_edition("Ed. 1, cet. 1")
    statement = parse_edition("Cet. 2., ed. rev.")
    assert (statement.number, statement.qualifiers, statement.printing) == (None, {"revisi"}, 2)


def test_first_edition_does_not_name_an_edition() -> None:
    assert not parse_edition("Ed. 1.").names_edition


def test_old_spelling_printing_statements_are_printings() -> None:
    # Real LoC statements: "Tjit. 2." (1901), "Tjap-tjapan 10." (1930), "Cit. 4." (1922),
    # Malay "Chet. 2." (1961), Javanese "Wedal kaping 2." (1932).
    assert parse_edition(loc("00369180").edition).printing == 2
    for text, printing in (
        ("Tjap-tjapan 10.", 10), ("Cit. 4.", 4), ("Chet. 2.", 2), ("Wedal kaping 2.", 2),
    ):  # fmt: skip
        assert parse_edition(text).printing == printing, text


def test_a_year_is_not_a_printing_number() -> None:
    assert parse_edition("Cet. 2000.").printing is None


def test_missing_edition_statement_states_nothing() -> None:
    assert not parse_edition(None).is_stated
    assert parse_edition(None).printing is None


# ------------------------------------------------------------------------------ publishers


def test_publisher_key_strips_legal_forms_and_the_word_penerbit() -> None:
    assert publisher_key("Penerbit PT Gramedia Pustaka Utama") == "gramedia pustaka utama"
    assert publisher_key("CV. Rajawali") == publisher_key("Rajawali")
    assert publisher_key("PT. Balai Pustaka (Persero)") == "balai pustaka"


def test_pustaka_is_part_of_a_publisher_name() -> None:
    assert publisher_key("Pustaka Jaya") != publisher_key("Jaya")


# -------------------------------------------------------------------------------- extents


def test_page_count_is_read_from_the_extent() -> None:
    assert parse_extent("xviii, 351 p.").pages == 351
    assert parse_extent("xii, 250 hlm.").pages == 250
    assert parse_extent("vi, 51 leaves").pages == 51


def test_roman_pagination_is_not_a_volume_count() -> None:
    extent = parse_extent("v, 264 p.")
    assert (extent.pages, extent.multipart) == (264, False)


def test_multivolume_set_is_recognized() -> None:
    # Real LoC extents.
    assert parse_extent("6 v.").multipart
    assert parse_extent("v. <1-10>").multipart
    assert parse_extent("2 jil.").volumes == 2


def test_one_volume_with_various_foliations_is_not_a_set() -> None:
    assert not parse_extent("1 v. (various foliations)").multipart
    assert not parse_extent("2 v. in 1 (344 p.)").multipart


# --------------------------------------------------------------------------------- series


def test_numbered_series_statement_gives_its_number() -> None:
    record = BibRecord(
        title="X", series=("Seri penerbitan PPW-LIPI ; no. 05/2000", "Kajian wanita")
    )
    assert series_numbers(record) == {"seri penerbitan ppw lipi": "5/2000"}


# ---------------------------------------------------------------------------------- names


def test_author_keys_are_order_insensitive_name_keys() -> None:
    record = BibRecord(
        title="Mangir",
        agents=(
            Agent("Toer, Pramoedya Ananta", main=True),
            Agent("Kepustakaan Populer Gramedia", kind="body"),
        ),
    )
    assert author_keys(record) == {"ananta pramudya tur"}


# ------------------------------------------------------------------------------- blocking


def test_identifiers_are_blocking_keys() -> None:
    keys = blocking_keys(loc("00366491"))
    assert {"isbn:9789796360239", "lccn:00366491"} <= keys


def test_title_blocking_key_takes_three_words_cut_to_four_letters() -> None:
    assert "t:sumb konf masy" in blocking_keys(loc("00366491"))


def test_title_blocking_key_ignores_old_spelling_and_suffixes() -> None:
    old = BibRecord(title="Pengembangannja sedjarah kebudajaan")
    new = BibRecord(title="Pengembangan sejarah kebudayaan")
    assert blocking_keys(old) & blocking_keys(new)


def test_real_duplicates_share_a_blocking_key() -> None:
    # LoC 00366493 and 00367113: the same book catalogued twice.
    assert blocking_keys(loc("00366493")) & blocking_keys(loc("00367113"))


def test_title_and_author_key_survives_a_typo_in_the_second_title_word() -> None:
    a = BibRecord(title="Sejarah perkembangan Angkatan Darat", agents=(Agent("Imran, Amrin"),))
    b = replace(a, title="Sejarah pekembangan Angkatan Darat")
    assert "t:seja peke angk" in blocking_keys(b)
    assert blocking_keys(a) & blocking_keys(b) == {"ta:sejar:imran", "ta:sejar:amrin"}


def test_title_and_author_key_is_the_same_for_inverted_and_direct_names() -> None:
    inverted = BibRecord(title="Kesastraan Melayu Tionghoa", agents=(Agent("Gouw, Peng Liang"),))
    direct = replace(inverted, agents=(Agent("Gouw Peng Liang"),))
    assert {k for k in blocking_keys(inverted) if k.startswith("ta:")} == {
        k for k in blocking_keys(direct) if k.startswith("ta:")
    }
