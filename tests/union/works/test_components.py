"""Connected parts: records joined by links, directly or through others, are one part."""

from union.works.components import connected_parts


def test_links_join_records_through_others_and_a_lone_record_is_a_part_of_its_own() -> None:
    parts = connected_parts([1, 2, 3, 4, 5, 6], [(1, 2), (5, 3), (2, 5)])
    assert sorted(map(sorted, parts)) == [[1, 2, 3, 5], [4], [6]]


def test_a_part_keeps_its_ids_in_the_order_they_were_given() -> None:
    assert connected_parts([9, 7, 8], [(8, 9), (7, 9)]) == [[9, 7, 8]]
