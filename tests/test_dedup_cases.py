"""The hard cases of deduplication, each a small real-looking pair, and the exact passes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from dedup_helpers import cluster, rec, same_cluster

from scoping.dedup.settings import DedupSettings

ARTICLE = dict(
    title="Novel DNA alterations in FCN1 and FCN2 genes in atypical HUS patients",
    authors="Volokhina E; Westra D; Spoelstra A; van den Heuvel L",
    year="2011",
)


def test_conference_abstract_and_full_paper_stay_apart_though_they_share_a_ref_id() -> None:
    abstract = rec(
        "embase",
        "1",
        **ARTICLE,
        journal="Pediatric Nephrology. Conference: 44th Annual Meeting of the ESPN",
        volume="26",
        issue="9",
        pages="1662-1663",
    )
    paper = rec("wos", "2", **ARTICLE, journal="Molecular Immunology", volume="48", pages="1684")
    assert abstract.record_id == paper.record_id  # same title, year and first author
    result = cluster(abstract, paper)
    assert not same_cluster(result, 0, 1)
    # Two clusters, two distinct IDs, each told apart by its own content (not by which came
    # first), and each canonical hit carries its cluster's ID, so every file agrees.
    base = abstract.record_id
    assert len(set(result.cluster_ids)) == 2
    assert all(re.fullmatch(rf"{base}-[0-9a-f]{{8}}", c) for c in result.cluster_ids)
    assert [h.record_id for h in result.hits] == result.cluster_ids
    swapped = cluster(paper, abstract)
    assert swapped.cluster_ids == result.cluster_ids[::-1]


def test_same_paper_from_two_databases_merges() -> None:
    medline = rec(
        "medline",
        "1",
        title="Complement dysfunction in hemolytic uremic syndrome.",
        authors="Zipfel PF; Skerka C",
        year="2006",
        journal="Curr Opin Rheumatol",
        volume="18",
        issue="5",
        pages="548-55",
    )
    embase = rec(
        "embase",
        "2",
        title="Complement dysfunction in hemolytic uremic syndrome",
        authors="Zipfel, P. F.; Skerka, C.",
        year="2006",
        journal="Current Opinion in Rheumatology",
        volume="18",
        issue="5",
        pages="548-555",
    )
    result = cluster(medline, embase)
    assert same_cluster(result, 0, 1)
    (merge,) = result.merges
    assert merge.decided_by == "auto" and merge.rule.startswith("title+")
    assert merge.fields["journal"] == 1.0  # the abbreviation matches the full name


@pytest.mark.parametrize(
    "notice_title",
    [
        "Erratum: Severe deficiency of the specific von Willebrand factor-cleaving protease "
        "(ADAMTS 13) activity in a subgroup of children with atypical hemolytic uremic syndrome",
        "Severe deficiency of the specific von Willebrand factor-cleaving protease (ADAMTS 13) "
        "activity in a subgroup of children with atypical hemolytic uremic syndrome - Reply",
        "Comment on: Severe deficiency of the specific von Willebrand factor-cleaving protease "
        "(ADAMTS 13) activity in a subgroup of children with atypical hemolytic uremic syndrome",
    ],
)
def test_erratum_comment_or_reply_with_the_same_title_stays_apart(notice_title: str) -> None:
    article = rec(
        "medline",
        "1",
        title="Severe deficiency of the specific von Willebrand factor-cleaving protease "
        "(ADAMTS 13) activity in a subgroup of children with atypical hemolytic uremic syndrome",
        authors="Veyradier A; Obert B; Haddad E",
        year="2003",
        journal="Journal of Pediatrics",
        volume="142",
        pages="310-317",
    )
    notice = rec(
        "embase",
        "2",
        title=notice_title,
        authors="Veyradier A; Obert B; Haddad E",
        year="2003",
        journal="Journal of Pediatrics",
        volume="142",
    )
    assert not same_cluster(cluster(article, notice), 0, 1)


def _preprint_pair() -> tuple:
    preprint = rec(
        "medrxiv",
        "1",
        title="Effectiveness of BNT162b2 vaccine against omicron variant in South Africa",
        authors="Collie S; Champion J; Moultrie H; Bekker LG; Gray G",
        year="2021",
        journal="medRxiv",
        doi="10.1101/2021.12.12.21267646",
    )
    published = rec(
        "medline",
        "2",
        title="Effectiveness of BNT162b2 Vaccine against Omicron Variant in South Africa",
        authors="Collie S; Champion J; Moultrie H; Bekker LG; Gray G",
        year="2022",
        journal="New England Journal of Medicine",
        volume="386",
        pages="494-496",
        doi="10.1056/NEJMc2119270",
        pmid="34965358",
    )
    return preprint, published


def test_preprint_and_published_version_are_linked_not_merged_by_default() -> None:
    result = cluster(*_preprint_pair())
    assert not same_cluster(result, 0, 1)
    (link,) = result.links
    assert link.rule == "preprint_link" and link.action == "link"


def test_preprint_policy_merge_merges_them() -> None:
    result = cluster(*_preprint_pair(), settings=DedupSettings(preprint_policy="merge"))
    assert same_cluster(result, 0, 1) and not result.links
    assert result.merges[0].rule == "preprint_merge"
    # The published version is the canonical record (PMID first).
    assert result.cluster_ids[0] == "pmid-34965358"


def test_multi_part_titles_stay_apart() -> None:
    common = dict(
        authors="Noris M; Remuzzi G", year="2009", journal="Nephrology Dialysis Transplantation"
    )
    part1 = rec("a", "1", title="Atypical hemolytic uremic syndrome: genetics, part 1", **common)
    part2 = rec("b", "2", title="Atypical hemolytic uremic syndrome: genetics, part 2", **common)
    part_ii = rec("c", "3", title="Atypical hemolytic uremic syndrome: genetics, part II", **common)
    result = cluster(part1, part2, part_ii)
    assert not same_cluster(result, 0, 1)
    assert same_cluster(result, 1, 2)  # roman and arabic part numbers agree


def test_same_title_in_different_years_stays_apart() -> None:
    common = dict(
        title="Treatment for POEMS (polyneuropathy, organomegaly, endocrinopathy, M-protein, "
        "and skin changes) syndrome",
        authors="Kuwabara S; Dispenzieri A; Arimura K",
        journal="Cochrane Database of Systematic Reviews",
    )
    result = cluster(rec("a", "1", year="2008", **common), rec("b", "2", year="2012", **common))
    assert not same_cluster(result, 0, 1)


def test_missing_abstract_and_pages_do_not_prevent_a_merge() -> None:
    with_abstract = rec(
        "wos",
        "1",
        title="Diabetes, comorbidities and increased long-term mortality in older patients "
        "admitted for geriatric inpatient care",
        authors="Zekry D; Frangos E; Graf C; Michel JP",
        year="2012",
        journal="Diabetes & Metabolism",
        volume="38",
        pages="149-155",
        abstract="AIM: To assess the impact of diabetes on long-term mortality in older patients.",
    )
    bare = rec(
        "cinahl",
        "2",
        title=with_abstract.title,
        authors="Zekry, D.; Frangos, E.; Graf, C.; Michel, J. P.",
        year="2012",
        journal="Diabetes & metabolism",
    )
    result = cluster(with_abstract, bare)
    assert same_cluster(result, 0, 1)


@pytest.mark.parametrize(
    ("translated", "original"),
    [
        ("[Pleuritis carcinomatosa]", "Pleuritis carcinomatosa"),
        (
            "Efficacy observation of batroxobin for treatment of vascular cognitive impairment. "
            "[Chinese]",
            "Efficacy observation of batroxobin for treatment of vascular cognitive impairment",
        ),
    ],
)
def test_non_english_title_forms_merge(translated: str, original: str) -> None:
    common = dict(authors="Miyanaga A; Gemma A", year="2011", volume="38", pages="524-527")
    a = rec("medline", "1", title=translated, journal="Gan to Kagaku Ryoho", **common)
    b = rec("embase", "2", title=original, journal="Japanese Journal of Cancer", **common)
    assert same_cluster(cluster(a, b), 0, 1)


def test_truncated_title_merges() -> None:
    full = (
        "A computerized visual perception rehabilitation programme with interactive computer "
        "interface using motion tracking technology: a randomized controlled, single-blinded, "
        "pilot clinical trial study"
    )
    common = dict(authors="Kang SH; Kim DK; Seo KM", year="2009", journal="Clin Rehabil")
    a = rec("medline", "1", title=full, volume="23", pages="434-44", **common)
    b = rec("psycinfo", "2", title=full[:100], **common)
    result = cluster(a, b)
    assert same_cluster(result, 0, 1)
    assert "truncated" in result.merges[0].rule


def test_look_alike_titles_with_a_swapped_word_stay_apart() -> None:
    common = dict(authors="Alexion Pharmaceuticals", year="2011")
    a = rec(
        "ctgov",
        "1",
        title="An Open-Label, Multi-Center Clinical Trial of Eculizumab in Pediatric Patients "
        "With Atypical Hemolytic-Uremic Syndrome",
        **common,
    )
    b = rec(
        "ctgov",
        "2",
        title="An Open-label, Multi-center Clinical Trial of Eculizumab in Adult Patients With "
        "Atypical Hemolytic-uremic Syndrome",
        **common,
    )
    assert not same_cluster(cluster(a, b), 0, 1)


def test_a_swapped_word_the_title_uses_elsewhere_is_still_a_swap() -> None:
    # Lens export: a series of USGS reports, one per topic; "fire" is in every title already.
    head = "Integrated rangeland fire management strategy actionable science plan completion "
    common = dict(
        authors="Anthony CR; Holloran MJ; Ricca MA; Hanser SE; Phillips SL",
        year="2023",
        journal="Open-File Report",
    )
    fire = rec(
        "lens", "1", title=head + "assessment: Fire topic, 2015-20", doi="10.3133/ofr1", **common
    )
    invasives = rec(
        "lens",
        "2",
        title=head + "assessment: Invasives topic, 2015-20",
        doi="10.3133/ofr2",
        **common,
    )
    result = cluster(fire, invasives)
    assert not same_cluster(result, 0, 1)
    assert result.review == []  # a different topic and DOI: nothing for a person to decide


def test_front_matter_on_the_same_first_page_of_two_issues_stays_apart() -> None:
    # digital_work: Journal of Management Information Systems opens every issue on page 5.
    common = dict(
        title="Editorial Introduction", authors="Zwass V", year="2005", journal="J Manag Inf Syst"
    )
    second = rec("ais", "1", volume="22", issue="2", pages="5-6", **common)
    third = rec("ais", "2", volume="22", issue="3", pages="5-7", **common)
    result = cluster(second, third)
    # Was merged on volume and first page; one issue's front matter is no question for a person.
    assert not same_cluster(result, 0, 1) and result.review == []
    # Nor with their DOIs.
    second.doi, third.doi = "10.1080/07421222.2005.11045854", "10.2753/mis0742-1222220300"
    result = cluster(second, third)
    assert not same_cluster(result, 0, 1) and result.review == []
    # The same item listed twice (same issue and page range) still merges.
    again = rec("scopus", "3", volume="22", issue="2", pages="5-6", **common)
    assert same_cluster(cluster(second, again), 0, 1)
    # MIS Quarterly's "Editor's Comments", one per issue, no pages or DOIs: not a question.
    misq = dict(title="Editor's Comments", authors="Lee AS", year="2001", journal="MIS Quarterly")
    first_issue = rec("ais", "4", volume="25", issue="1", **misq)
    second_issue = rec("ais", "5", volume="25", issue="2", **misq)
    result = cluster(first_issue, second_issue)
    assert not same_cluster(result, 0, 1) and result.review == []
    assert same_cluster(cluster(first_issue, rec("wos", "6", volume="25", issue="1", **misq)), 0, 1)


def test_exact_passes_doi_pmid_pmcid() -> None:
    by_doi = [
        rec("a", "1", title="Title as exported by one database", doi="10.1000/XYZ.1", year="2020"),
        rec(
            "b",
            "2",
            title="TITLE AS EXPORTED BY ONE DATABASE!",
            doi="https://doi.org/10.1000/xyz.1",
        ),
    ]
    by_pmid = [
        rec("pubmed_q1", "111", title="Hypertension in adults", pmid="111", year="2019"),
        rec("pubmed_q2", "111", title="Hypertension in adults.", pmid="111", year="2019"),
    ]
    by_pmcid = [
        rec("pmc", "PMC42", title="Sepsis care bundles", pmcid="PMC42", year="2018"),
        rec("europepmc", "x9", title="Sepsis care bundles: a review", pmcid="pmc42", year="2018"),
    ]
    result = cluster(*by_doi, *by_pmid, *by_pmcid)
    assert same_cluster(result, 0, 1) and same_cluster(result, 2, 3) and same_cluster(result, 4, 5)
    assert result.n_clusters == 3
    rules = sorted(e.rule for e in result.merges)
    assert rules == ["exact_doi", "exact_pmcid", "same_record_id"]


def test_database_accession_numbers_join_two_exports_of_one_database(shared_data) -> None:
    from scoping.dedup.features import accession_key
    from scoping.readers import read_file

    formats = shared_data / "formats"
    # A Web of Science export and a Zotero library built from it: the UT survives in both.
    wos = read_file(formats / "asysd" / "wos_test.ris").records
    zotero = read_file(formats / "asysd" / "zotero_export.ris").records
    assert accession_key(wos[0]) == accession_key(zotero[0]) == "wos:000082252000006"
    # Scopus puts the EID only into the record link; PsycINFO and CENTRAL into the ID.
    scopus = read_file(formats / "synthesisr" / "Scopus_ris_example.ris").records
    assert accession_key(scopus[0]) == "2-s2.0-85079532227"
    psycinfo = read_file(formats / "citesource" / "valid_data" / "psycinfo_64.ris").records
    assert accession_key(psycinfo[0]) == "2023-15354-001"
    # Zotero's copy of the first record, retitled in another language and without DOI or
    # pages: only the accession number says it is the same record.
    original = zotero[0]
    copy = rec(
        "zotero",
        original.source_id,
        title="Microangiographie der Netzhaut",
        authors=original.authors,
        year=original.year,
        journal=original.journal,
        raw=dict(original.raw),
    )
    result = cluster(wos[0], copy)
    assert same_cluster(result, 0, 1)
    assert [e.rule for e in result.merges] == ["exact_accession"]
    off = DedupSettings(exact_fields=("doi", "pmid", "pmcid"))
    assert not same_cluster(cluster(wos[0], copy, settings=off), 0, 1)
    # A number that does not name its database (an Embase or EndNote record number) is no key.
    assert accession_key(rec("embase", "20203152553", title="x", raw={"AN": "369"})) == ""


def test_doi_shared_by_an_erratum_does_not_merge_it() -> None:
    article = rec(
        "a",
        "1",
        title="Rainmakers: why bad weather means good productivity",
        doi="10.1037/a0035559",
    )
    erratum = rec(
        "b",
        "2",
        title="Rainmakers: why bad weather means good productivity: correction to Lee et al.",
        doi="10.1037/a0035559",
    )
    assert not same_cluster(cluster(article, erratum), 0, 1)


def test_canonical_member_prefers_pmid_then_doi_then_ref() -> None:
    title = (
        "Long-term effect of eculizumab on kidney function in paroxysmal nocturnal haemoglobinuria"
    )
    common = dict(authors="Hillmen P; Elebute M; Kelly R", year="2010", journal="Am J Hematol")
    ref = rec("cinahl", "c1", title=title, volume="85", pages="553-559", **common)
    doi = rec("scopus", "s1", title=title, doi="10.1002/ajh.21757", **common)
    pmid = rec("medline", "m1", title=title, pmid="20658590", volume="85", **common)
    result = cluster(ref, doi, pmid)
    assert len(set(result.cluster_ids)) == 1
    assert result.cluster_ids[0] == "pmid-20658590"
    assert result.canonical == [False, False, True]
    result = cluster(ref, doi)
    assert result.cluster_ids[0] == doi.record_id and result.canonical == [False, True]


def test_translated_title_merges_on_authors_journal_issue_and_page_range() -> None:
    common = dict(
        authors="Greef S; Schroeder W; Sperling HJ",
        year="2020",
        journal="Industrielle Beziehungen",
        volume="27",
        issue="2",
    )
    german = rec(
        "wiso",
        "1",
        title="Plattformökonomie und Crowdworking als Herausforderungen für das deutsche Modell "
        "der Arbeitsbeziehungen",
        pages="205 -- 226",
        doi="10.3224/indbez.v27i2.06",
        **common,
    )
    english = rec(
        "scopus",
        "2",
        title="Platform economy and crowdworking as challenges for the German model of "
        "industrial relations",
        pages="205-226",
        **common,
    )
    result = cluster(german, english)
    assert same_cluster(result, 0, 1)
    assert result.merges[0].rule.startswith("bibliographic")


def test_abstracts_sharing_a_supplement_page_stay_apart() -> None:
    common = dict(authors="Imazio M; Brucato A", year="2011", journal="European Heart Journal")
    a = rec(
        "embase",
        "1",
        title="Contemporary features of the post-pericardiotomy syndrome",
        volume="32",
        pages="597",
        **common,
    )
    b = rec(
        "embase",
        "2",
        title="Colchicine prevents early post-operative pericardial effusions",
        volume="32",
        pages="597",
        **common,
    )
    assert not same_cluster(cluster(a, b), 0, 1)


def test_thesis_merges_with_its_dissertation_abstracts_listing_but_not_two_listings() -> None:
    title = "An intelligent rehabilitation system for cognitive rehabilitation"
    listing = rec(
        "psycinfo",
        "1",
        title=title,
        authors="Yip CB",
        year="2012",
        journal="Dissertation Abstracts International: Section B",
        volume="73",
        issue="3-B",
        pages="1524",
    )
    thesis = rec(
        "proquest", "2", title=title, authors="Yip CB", year="2011", volume="Ph.D.", pages="215 p"
    )
    result = cluster(listing, thesis)
    assert same_cluster(result, 0, 1)
    assert result.merges[0].rule == "thesis+authors+year"
    # Listed in two volumes of Dissertation Abstracts: a person decides.
    other_volume = rec(
        "psycinfo",
        "3",
        title=title,
        authors="Yip CB",
        year="2012",
        journal="Dissertation Abstracts International: Section B",
        volume="74",
        pages="88",
    )
    result = cluster(listing, other_volume)
    assert not same_cluster(result, 0, 1)
    assert [p.rule for p in result.review] == ["uncertain:thesis+authors"]
    # Six years apart: another thesis, or a listing that cannot be this one.
    later = rec("proquest", "4", title=title, authors="Yip CB", year="2017", volume="Ph.D.")
    assert not same_cluster(cluster(listing, later), 0, 1)


# Journal of Information Technology printed one paper in 2009 (24:46-54) and in 2010 (25:56-64)
# under two DOIs; digital_work labels the two records one paper.
_SPONSORSHIP_ABSTRACT = (
    "Project sponsorship is assumed to be critical to the success of information systems "
    "development and implementation. However, there is limited research on the effect of "
    "vendor-based sponsorship on the management of information technology (IT) projects. This "
    "paper contributes to that emerging body of evidence."
)


def _jit(source_id: str, **fields: object) -> object:
    base = dict(
        title="Sponsorship and IT vendor management of projects",
        authors="Liu, Li; Yetton, Philip",
        journal="Journal of Information Technology",
        abstract=_SPONSORSHIP_ABSTRACT,
    )
    base.update(fields)
    return rec("ais", source_id, **base)


def test_one_text_printed_twice_merges_on_its_abstract_word_for_word() -> None:
    first = _jit("1", year="2009", volume="24", pages="46-54", doi="10.1057/jit.2009.2")
    second = _jit("2", year="2010", volume="25", pages="56--64", doi="10.1057/JIT.2008.23")
    result = cluster(first, second)
    assert same_cluster(result, 0, 1)
    assert result.merges[0].rule == "title+authors+abstract"
    # Without the abstract the same pair contradicts in year, volume, pages and DOI.
    bare = [
        _jit(str(i), abstract="", **f)
        for i, f in enumerate(
            [
                dict(year="2009", volume="24", pages="46-54"),
                dict(year="2010", volume="25", pages="56-64"),
            ]
        )
    ]
    assert not same_cluster(cluster(*bare), 0, 1)


def test_abstract_word_for_word_does_not_merge_a_commentary_or_a_meeting_abstract() -> None:
    paper = _jit("1", year="2009", volume="24", pages="46-54")
    # A commentary by another author, to which the database copied the paper's abstract.
    commentary = _jit("2", authors="Zimmer, Michael", year="2009", volume="24", pages="55-56")
    assert not same_cluster(cluster(paper, commentary), 0, 1)
    # A one-page meeting abstract beside the paper: two reports, whatever the text.
    meeting = _jit("3", year="2009", volume="23", pages="S12")
    assert not same_cluster(cluster(paper, meeting), 0, 1)
    # The same text in another journal is left to the other rules.
    elsewhere = _jit(
        "4",
        journal="European Journal of Information Systems",
        year="2010",
        volume="19",
        pages="1-9",
    )
    assert not same_cluster(cluster(paper, elsewhere), 0, 1)


def test_erratum_carrying_the_articles_abstract_joins_the_article_which_stays_canonical(
    tmp_path,
) -> None:
    from scoping.dedup.outputs import merged_records

    article = _jit("1", year="2018", volume="33", pages="151-170", doi="10.1057/s41265-016-0001-y")
    erratum = _jit(
        "2",
        title="Erratum to - Sponsorship and IT vendor management of projects",
        year="2018",
        volume="33",
        pages="171",
        doi="10.1057/s41265-017-0039-5",
    )
    result = cluster(erratum, article)
    assert same_cluster(result, 0, 1)
    assert result.canonical == [False, True]
    ((merged, _sources, hits),) = merged_records(result)
    assert hits == 2
    assert merged.title == "Sponsorship and IT vendor management of projects"
    assert (merged.doi, merged.pages) == ("10.1057/s41265-016-0001-y", "151-170")
    # Without the copied abstract the notice stays apart (see the parametrised case above).
    bare = [replace(r, abstract="") for r in (erratum, article)]
    assert not same_cluster(cluster(*bare), 0, 1)


def test_proceedings_paper_merges_across_venue_names_and_an_ssrn_doi() -> None:
    title = "Gender Wage Gap in Online Gig Economy and Gender Differences in Job Preferences"
    authors = "Liang, Chen; Hong, Yili; Gu, Bin; Peng, Jing"
    icis = rec(
        "ais",
        "1",
        title=title,
        authors=authors,
        year="2018",
        pages="1--17",
        journal="International Conference on Information Systems",
    )
    ssrn_copy = rec(
        "scholar",
        "2",
        title=title,
        authors=authors,
        year="2018",
        pages="1--17",
        journal="International Conference on Information Systems",
        doi="10.2139/SSRN.3266249",
    )
    renamed = rec(
        "scopus",
        "3",
        title=title,
        authors=authors,
        year="2018",
        journal="ICIS 2018 Proceedings: Transforming Society with Digital Innovation",
    )
    result = cluster(icis, ssrn_copy, renamed)
    assert len(set(result.cluster_ids)) == 1
    # The journal version of a conference paper is another report, whatever the venue names.
    journal = rec("wos", "7", title=title, authors=authors, year="2018", journal="MIS Quarterly")
    assert not same_cluster(cluster(icis, journal), 0, 1)
    # A real preprint on SSRN beside the paper is still linked, not merged.
    preprint = rec(
        "ssrn",
        "4",
        title=title,
        authors=authors,
        year="2018",
        journal="SSRN",
        doi="10.2139/SSRN.3266249",
    )
    result = cluster(icis, preprint)
    assert not same_cluster(result, 0, 1) and [e.rule for e in result.links] == ["preprint_link"]


def test_given_and_family_names_swapped_throughout_the_list_merge() -> None:
    a = rec(
        "ais",
        "1",
        title='"We Don\'t Need no Education" - Required Abilities in Online Labor Markets',
        authors="Carignani A; Negri L",
        year="2010",
        pages="1--15",
    )
    b = rec(
        "scopus",
        "2",
        title="We don't need no education: Required abilities in online labor markets",
        authors="Andrea C; Lorenzo N",
        year="2010",
    )
    assert same_cluster(cluster(a, b), 0, 1)


def test_proceedings_paper_listed_a_year_apart_merges_but_not_a_journal_abstract() -> None:
    title = "Call for Bids to Improve Matching Efficiency: Evidence from Online Labor Markets"
    paper = rec(
        "ais", "1", title=title, authors="Guo X; Gong J; Pavlou PA", year="2017", pages="1--12"
    )
    listed = rec("scopus", "2", title=title, authors="Guo X; Gong J; Pavlou P", year="2018")
    assert same_cluster(cluster(paper, listed), 0, 1)
    # Different years two apart, or a journal on both sides: kept apart.
    later = rec("scopus", "3", title=title, authors="Guo X; Gong J; Pavlou P", year="2019")
    assert not same_cluster(cluster(paper, later), 0, 1)
    in_journal = [
        rec("x", str(n), title=title, authors="Guo X; Gong J", year=y, journal="MIS Quarterly")
        for n, y in ((4, "2017"), (5, "2018"))
    ]
    assert not same_cluster(cluster(*in_journal), 0, 1)


def test_short_title_without_its_subtitle_merges_on_the_same_page_range() -> None:
    common = dict(authors="Soden R; Palen L", year="2016", pages="2796--2807")
    full = rec(
        "acm",
        "1",
        title="Infrastructure in the wild: What mapping in post-earthquake Nepal reveals about "
        "infrastructural emergence",
        **common,
    )
    short = rec(
        "scopus", "2", title="Infrastructure in the Wild", doi="10.1145/2858036.2858545", **common
    )
    result = cluster(full, short)
    assert same_cluster(result, 0, 1)
    # Proceedings paginated from page 1 each: a shared "1-15" proves nothing.
    other = dict(authors="Soden R; Palen L", year="2016", pages="1--15")
    a = rec("acm", "3", title="Infrastructure in the wild: mapping in Nepal", **other)
    b = rec("acm", "4", title="Infrastructure in the Wild", **other)
    assert not same_cluster(cluster(a, b), 0, 1)


def test_kicker_before_the_title_and_a_year_as_volume_merge() -> None:
    common = dict(authors="Kasriel S", year="2016", journal="Harvard Business Review")
    a = rec(
        "ebsco",
        "1",
        title="Upwork's CEO on how an introverted engineer learned to lead",
        volume="2016",
        issue="May",
        **common,
    )
    b = rec(
        "wos",
        "2",
        title="How did it ... Upwork's CEO on how an introverted engineer learned to lead",
        volume="94",
        issue="5",
        pages="35+",
        **common,
    )
    assert same_cluster(cluster(a, b), 0, 1)


def test_web_of_science_erratum_title_is_an_erratum() -> None:
    common = dict(authors="Hillmen P", year="2010", journal="American Journal of Hematology")
    article = rec(
        "medline",
        "1",
        title="Long-term effect of the complement inhibitor eculizumab on kidney function in "
        "patients with paroxysmal nocturnal hemoglobinuria",
        volume="85",
        issue="8",
        pages="553-559",
        **common,
    )
    erratum_wos = rec(
        "wos",
        "2",
        title="Long-term effect of the complement inhibitor eculizumab on kidney function in "
        "patients with paroxysmal nocturnal hemoglobinuria (vol 85, pg 553, 2010)",
        volume="85",
        issue="11",
        pages="911",
        **common,
    )
    erratum_embase = rec(
        "embase",
        "3",
        title="Erratum: Long-term effect of the complement inhibitor eculizumab on kidney "
        "function in patients with paroxysmal nocturnal hemoglobinuria",
        volume="85",
        issue="11",
        pages="911-911",
        **common,
    )
    result = cluster(article, erratum_wos, erratum_embase)
    assert not same_cluster(result, 0, 1)
    assert same_cluster(result, 1, 2)


def test_translated_title_merges_when_one_issue_has_no_number() -> None:
    common = dict(authors="Andres A", year="2010", journal="Nefrologia", volume="30", pages="30-38")
    a = rec(
        "medline",
        "1",
        title="Indications and contraindications for living kidney donations",
        issue="SUPPL",
        **common,
    )
    b = rec(
        "embase",
        "2",
        title="[Indications and contraindications of living-donor kidney transplantation]. "
        "[Spanish]",
        issue="Suppl 2",
        **common,
    )
    assert same_cluster(cluster(a, b), 0, 1)
    c = rec(
        "x",
        "3",
        title="Contraindications for living kidney donation: a survey",
        issue="3",
        **common,
    )
    d = rec(
        "y",
        "4",
        title="Indications and contraindications for living kidney donations",
        issue="4",
        **common,
    )
    assert not same_cluster(cluster(c, d), 0, 1)


def test_titles_differing_only_in_spacing_are_not_a_swapped_word() -> None:
    common = dict(
        authors="del PM; Garcia S; Fuste V; Alonso I",
        year="2009",
        journal="American Journal of Obstetrics and Gynecology",
        volume="201",
    )
    a = rec(
        "wos",
        "1",
        title="Value of p16INK4a as a marker of progression/regression in CIN 1",
        pages="488",
        **common,
    )
    b = rec(
        "embase",
        "2",
        title="Value of p16(INK4a) as a marker of progression/regression in CIN 1",
        pages="487-488",
        **common,
    )
    assert same_cluster(cluster(a, b), 0, 1)


def test_titles_cut_a_letter_apart_with_a_dropped_space_are_not_a_swapped_word() -> None:
    # respiratory id_0000761 / id_0000762: both titles cut at a database's 200 characters.
    common = dict(
        authors="Arrieta O; Ceron T; Pedro NH; Trejo MA",
        year="2008",
        journal="Journal of Thoracic Oncology",
        volume="3",
    )
    head = (
        "The effect of all-trans retinoic acid with chemotherapy based on paclitaxel and "
        "cisplatin as first line treatment of patients with stage IIIb with pleural effusion "
        "and stage IV non-small "
    )
    a = rec("embase", "1", title=head + "cell lung can", **common)
    b = rec("wos", "2", title=head + "celllung canc", **common)
    assert same_cluster(cluster(a, b), 0, 1)
    # A real swap in the same long title still keeps them apart.
    c = rec("wos", "3", title=head.replace("cisplatin", "carboplatin") + "cell lung can", **common)
    assert not same_cluster(cluster(a, c), 0, 1)


def test_erratum_record_that_lost_its_prefix_merges_on_volume_issue_and_page() -> None:
    title = (
        "Severe deficiency of the specific von Willebrand factor-cleaving protease (ADAMTS 13) "
        "activity in a subgroup of children with atypical hemolytic uremic syndrome"
    )
    common = dict(authors="Veyradier A", year="2003", journal="Journal of Pediatrics", volume="142")
    notice = rec("embase", "1", title=f"Erratum: {title}", issue="6", pages="616", **common)
    bare = rec("cinahl", "2", title=title, issue="6", pages="616-616", **common)
    article = rec("medline", "3", title=title, issue="3", pages="310-317", **common)
    result = cluster(notice, bare, article)
    assert same_cluster(result, 0, 1)
    assert not same_cluster(result, 0, 2) and not same_cluster(result, 1, 2)
    # A reply can share the page of the letter it answers: never excused.
    reply = rec("embase", "4", title=f"{title} - Reply", issue="6", pages="616", **common)
    assert not same_cluster(cluster(reply, bare), 0, 1)


def test_abstract_printed_twice_in_one_supplement_merges_but_not_beside_the_paper() -> None:
    title = (
        "Maintenance of renal function under eculizumab despite discontinuation of plasma "
        "exchange after a third transplantation for atypical hemolytic uremic syndrome"
    )
    common = dict(
        title=title,
        authors="Davin JC; Groothoff JW; Bemelman FJ; Bouts AH",
        year="2011",
        journal="Pediatric Transplantation",
        volume="15",
    )
    oral = rec("embase", "1", pages="22-22", **common)
    poster = rec("wos", "2", pages="52", **common)
    paper = rec("medline", "3", pages="410-415", **common)
    result = cluster(oral, poster, paper)
    assert same_cluster(result, 0, 1)
    assert not same_cluster(result, 0, 2)


def test_volume_issue_and_page_slid_one_field_left_are_read_back() -> None:
    common = dict(
        title="The treatment of atypical HUS",
        authors="Loirat C",
        year="2011",
        journal="Pediatric Nephrology. Conference: 44th Annual Meeting of the ESPN",
    )
    slid = rec("embase", "1", issue="26", pages="9", **common)
    right = rec("embase", "2", volume="26", issue="9", pages="1746-1746", **common)
    assert same_cluster(cluster(slid, right), 0, 1)
    # Another issue of the same volume is another abstract.
    other = rec("embase", "3", volume="26", issue="10", pages="1746-1746", **common)
    assert not same_cluster(cluster(slid, other), 0, 1)


@pytest.mark.parametrize(
    ("pages", "span"),
    [
        ("119-27; quiz 128", ("119", "128")),  # MEDLINE: the article's own quiz page
        ("1234-40; discussion 1241-2", ("1234", "1242")),
        ("945; author reply 946", ("945", "945")),  # the reply is another item
        ("288-97", ("288", "297")),
        ("215 p", ("", "")),  # a thesis's page count
    ],
)
def test_page_spans_read_medline_forms(pages: str, span: tuple[str, str]) -> None:
    from scoping.dedup.features import page_span

    assert page_span(pages)[:2] == span


def test_a_quiz_page_does_not_split_an_article_listed_two_ways() -> None:
    # respiratory id_0000338 / id_0000339 (the issue numbers there are a running counter).
    common = dict(
        title="Diagnosis of pleural effusion: a systematic approach",
        authors="McGrath EE; Anderson PB",
        year="2011",
        journal="American Journal of Critical Care",
        volume="20",
    )
    medline = rec("medline", "1", issue="426", pages="119-27; quiz 128", **common)
    embase = rec("embase", "2", issue="427", pages="119-128", **common)
    assert same_cluster(cluster(medline, embase), 0, 1)


# --- issue 11: rules that a real review's raw exports needed -----------------------------------


def test_a_supplement_doi_shared_by_two_meeting_abstracts_does_not_merge_them() -> None:
    # Modelled on a real review's ISTH congress supplement (J Thromb Haemost 13 Suppl 2): the
    # database gave every abstract of the supplement issue the issue's DOI. Two abstracts on
    # pages 51 and 52, by other authors, with look-alike titles. The exact DOI pass merged them.
    doi = "10.1111/jth.12993"
    journal = "Journal of Thrombosis and Haemostasis"
    adults = rec(
        "embase",
        "1",
        title="Eculizumab in atypical hemolytic uremic syndrome: long-term outcomes in adults",
        authors="Licht C; Greenbaum LA; Muus P; Babu S",
        year="2015",
        journal=journal,
        volume="13",
        issue="Suppl 2",
        pages="51",
        doi=doi,
    )
    children = rec(
        "embase",
        "2",
        title="Eculizumab in atypical hemolytic uremic syndrome: long-term outcomes in children",
        authors="Fakhouri F; Loirat C; Ariceta G; Ardissino G",
        year="2015",
        journal=journal,
        volume="13",
        issue="Suppl 2",
        pages="52",
        doi=doi,
    )
    result = cluster(adults, children)
    assert not same_cluster(result, 0, 1)
    assert not result.merges and not result.review  # two works, nothing for a person
    # The same abstract from a second database, its DOI equal: the DOI still merges it.
    again = rec("wos", "3", **{**_fields(adults), "authors": "Licht, C.; Greenbaum, L. A."})
    result = cluster(adults, children, again)
    assert same_cluster(result, 0, 2) and not same_cluster(result, 1, 2)
    assert [m.rule for m in result.merges] == ["exact_doi"]


def _fields(record: object) -> dict[str, object]:
    names = ("title", "year", "journal", "volume", "issue", "pages", "doi")
    return {name: getattr(record, name) for name in names}


def test_a_record_without_a_year_merges_with_its_journal_version() -> None:
    # Modelled on Embase conference records of a real review: EHA congress abstracts printed
    # in Haematologica's meeting supplement, Embase naming the congress in the journal field
    # (so: a conference abstract) and giving no year; Web of Science gives the journal record.
    # With a year, the same volume and first page outweigh "conference abstract vs paper";
    # without one, 78 such pairs went to a person.
    title = "Eculizumab in atypical hemolytic uremic syndrome: two-year update of two trials"
    authors = "Licht C; Muus P; Legendre C; Douglas K"
    embase = rec(
        "embase",
        "1",
        title=title,
        authors=authors,
        journal="Haematologica. Conference: 16th Congress of the European Hematology Association",
        volume="96",
        issue="SUPPL. 2",
        pages="0123",
    )
    fields = dict(title=title, authors=authors, year="2011", volume="96", issue="Suppl 2")
    wos = rec("wos", "2", **fields, journal="Haematologica-the Hematology Journal", pages="123")
    result = cluster(embase, wos)
    assert same_cluster(result, 0, 1) and not result.review
    assert result.merges[0].fields["year"] is None  # no year: no evidence either way
    # Without a year, the volume and page prove nothing in another journal.
    other = rec("wos", "3", **fields, journal="Blood", pages="123")
    assert not same_cluster(cluster(embase, other), 0, 1)


@pytest.mark.parametrize(
    "deposit_title",
    [
        "Figure 1 from MEK inhibition overcomes resistance to EGFR inhibitors in colorectal cancer",
        "Table 2 MEK inhibition overcomes resistance to EGFR inhibitors in colorectal cancer",
        "Supplementary material for: MEK inhibition overcomes resistance to EGFR inhibitors in "
        "colorectal cancer",
        "Data from MEK inhibition overcomes resistance to EGFR inhibitors in colorectal cancer",
        "Supplementary Table S1",
    ],
)
def test_a_supplement_deposit_stays_apart_from_its_article_without_a_person(
    deposit_title: str,
) -> None:
    # Modelled on the figshare deposits (AACR journals deposit each figure, table and the data
    # of an article as its own DOI, with the article's title and authors) that reached a person
    # in a real review: about 20 pairs.
    authors = "Misale S; Arena S; Lamba S; Siravegna G; Bardelli A"
    article = rec(
        "medline",
        "1",
        title="MEK inhibition overcomes resistance to EGFR inhibitors in colorectal cancer",
        authors=authors,
        year="2019",
        journal="Cancer Research",
        doi="10.1158/0008-5472.CAN-18-1234",
    )
    deposit = rec(
        "datacite",
        "2",
        title=deposit_title,
        authors=authors,
        year="2019",
        journal="Cancer Research",
        doi="10.1158/0008-5472.22412345.v1",
    )
    result = cluster(article, deposit)
    assert not same_cluster(result, 0, 1)
    assert not result.review and not result.merges
    if len(deposit_title) > 40:
        # Two databases' copies of one deposit are still one deposit ("Supplementary Table S1"
        # alone names a part of any article: too short to merge on).
        copy = rec("crossref", "3", **{**_fields(deposit), "doi": ""}, authors=authors)
        assert same_cluster(cluster(article, deposit, copy), 1, 2)


def test_a_garbled_volume_is_no_evidence_against_a_twin() -> None:
    # Modelled on a real review's export where "61(1)" was cut to "1)" in the volume field:
    # 40 same-title pairs were kept apart on "volume 1 vs 61".
    fields = dict(
        title="Community health workers and maternal mortality in rural Ethiopia",
        authors="Tadesse G; Abebe M; Worku A",
        year="2018",
        journal="BMC Public Health",
        pages="118-126",
    )
    good = rec("scopus", "1", **fields, volume="61", issue="1")
    garbled = rec("ebsco", "2", **fields, volume="1)")
    result = cluster(good, garbled)
    assert same_cluster(result, 0, 1)
    # A plausible other volume still contradicts.
    other = rec("ebsco", "3", **fields, volume="62")
    assert not same_cluster(cluster(good, other), 0, 1)
