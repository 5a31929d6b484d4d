"""A small, realistic Indonesian catalogue for the search tests: nineteen works as a
city library (KOTA) and three village branches (DESA01-03) would hold them, with old and
modern spellings, reduplications, fields in every facet, and one work without a year."""

from __future__ import annotations

from union.search.documents import SearchDocument
from union.search.engine import SearchResults

D = SearchDocument

#: The works, as a city library (KOTA) and three village branches would hold them.
CATALOGUE: tuple[SearchDocument, ...] = (
    D("baca", "Baca buku", authors=["Rahayu, Sri"], subjects=["Reading -- Indonesia"],
      publisher="Balai Pustaka", year=1995, languages=["ind"], isbns=["9789794071779"],
      branches=["KOTA", "DESA01"], available_branches=["KOTA"]),
    D("dbr", "Dibawah bendera revolusi", authors=["Soekarno"],
      subjects=["Indonesia -- Politics and government"],
      publisher="Panitya Penerbit Dibawah Bendera Revolusi", year=1964, languages=["ind"],
      branches=["KOTA"]),
    D("sukarno", "Sukarno dan perjuangan kemerdekaan", authors=["Adams, Cindy"], year=2000,
      languages=["ind"], branches=["DESA01"], available_branches=["DESA01"]),
    D("djakarta", "Djakarta tempo doeloe", authors=["Heuken, Adolf"], year=1989,
      subjects=["Jakarta (Indonesia) -- History"], languages=["ind"], branches=["DESA02"]),
    D("jakarta", "Jakarta", subtitle="sejarah 400 tahun", authors=["Blackburn, Susan"],
      publisher="Masup Jakarta", year=2011, languages=["ind"], isbns=["9789799751232"],
      branches=["KOTA"], available_branches=["KOTA"]),
    D("pustaka", "Perpustakaan dan masyarakat", authors=["Sulistyo-Basuki"],
      subjects=["Libraries -- Indonesia"], publisher="Gramedia Pustaka Utama", year=1993,
      languages=["ind"], branches=["KOTA", "DESA01"], available_branches=["KOTA", "DESA01"]),
    D("kupu", "Kupu-kupu malam", authors=["Achmad, Dahlan"], year=2008, languages=["ind"],
      branches=["DESA03"]),
    D("sd", "Buku-buku pelajaran sekolah dasar", year=2011, languages=["ind"],
      branches=["DESA03"], available_branches=["DESA03"]),
    D("bumi", "Bumi manusia", authors=["Toer, Pramoedya Ananta"], publisher="Hasta Mitra",
      year=1980, languages=["ind"], series=["Tetralogi Buru"], isbns=["9789799618900"],
      branches=["KOTA", "DESA01", "DESA02"], available_branches=["DESA02"]),
    D("bangsa", "Anak semua bangsa", authors=["Toer, Pramoedya Ananta"],
      publisher="Hasta Mitra", year=1980, languages=["ind"], series=["Tetralogi Buru"],
      branches=["KOTA"]),
    D("pasar", "Bukan pasar malam", authors=["Toer, Pramoedya Ananta"],
      publisher="Balai Pustaka", year=1951, languages=["ind"], branches=["DESA02"]),
    D("esai", "Bumi manusia, bumi manusia", subtitle="kumpulan esai tentang bumi dan manusia",
      year=2015, languages=["ind"], branches=["DESA03"]),
    D("musirawas", "Sejarah Kabupaten Musi Rawas", authors=["Pemerintah Kabupaten Musi Rawas"],
      subjects=["Musi Rawas (Indonesia) -- History"], year=2005, languages=["ind"],
      local=True, branches=["KOTA"], available_branches=["KOTA"]),
    D("linggau", "Cerita rakyat Lubuklinggau", subjects=["Folk literature, Malay"], year=2015,
      languages=["ind"], local=True, branches=["DESA03"]),
    D("java", "The history of Java", authors=["Raffles, Thomas Stamford"],
      subjects=["Java (Indonesia) -- History"], year=1817, languages=["eng"],
      branches=["KOTA"], title_nonfiling=4),
    D("centhini", "Serat Centhini", subjects=["Javanese poetry"], year=1991, languages=["jav"],
      branches=["DESA02"]),
    D("tempo", "Majalah Tempo", format="serial", languages=["ind"], branches=["KOTA"],
      available_branches=["KOTA"]),
    D("menulis", "Menulis dan membaca untuk anak", subjects=["Reading (Elementary)"],
      year=2019, languages=["ind"], branches=["DESA01"]),
    D("kalbar", "Sejarah perjuangan rakyat Kalimantan Barat, 1908-1950", year=1991,
      languages=["ind"], branches=["KOTA"]),
)  # fmt: skip

BY_ID = {doc.id: doc for doc in CATALOGUE}


def ids(results: SearchResults) -> list[str]:
    """The ids of a result page, in order."""
    return [hit.id for hit in results.hits]
