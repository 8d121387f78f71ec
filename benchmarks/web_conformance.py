"""Conformance figures of the page extractors on other projects' test data (../shared/data).

    .venv/bin/python benchmarks/web_conformance.py

See webleads_web.conformance for what each figure compares.
"""

from __future__ import annotations

from webleads_web import conformance


def main() -> int:
    data = conformance.shared_data_dir()
    mf = conformance.microformats_score(data)
    print(f"microformats-tests h-card/h-adr cases (name, org, job-title, email, tel, url, adr): {mf}")
    for f in mf.failures:
        print(f"  differs: {f}")
    so = conformance.schemaorg_scores(data)
    for form, score in so.forms.items():
        print(f"schemaorg-examples {form:9s} same contact values as the JSON-LD oracle: {score}")
        if form != "jsonld":
            print(f"  differs: {', '.join(score.failures) or '-'}")
    print(f"schemaorg-examples premarkup (no markup): emails and phones found from visible text: "
          f"{so.premarkup_shown_found}/{so.premarkup_shown} of those the text shows "
          f"({100 * so.premarkup_shown_recall:.1f}%); {so.premarkup_found}/{so.premarkup_total} of all "
          f"({100 * so.premarkup_recall:.1f}%)")
    ex = conformance.extruct_score(data)
    print(f"extruct-samples Person/Organization nodes (name and emails) found: {ex}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
