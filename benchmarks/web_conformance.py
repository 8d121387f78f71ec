"""Conformance figures of the page extractors on other projects' test data (../shared/data).

    .venv/bin/python benchmarks/web_conformance.py

See webleads_web.conformance for what each figure compares and how it counts.
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
        line = f"schemaorg-examples {form:9s} same contact values as the JSON-LD oracle: {score}"
        if score.explained:
            line += f"; {score.consistent} of the examples whose forms carry the same data"
        print(line)
        print(f"  differs (the extractors): {', '.join(score.unexplained) or '-'}")
        for case, why in score.explained:
            print(f"  differs (the example's own forms disagree): {case}: {why}")
    print(f"schemaorg-examples premarkup (no markup): oracle emails, phones and job titles found from visible text: "
          f"{so.premarkup_shown_found}/{so.premarkup_shown} of those a visible line shows "
          f"({100 * so.premarkup_shown_recall:.1f}%); {so.premarkup_found}/{so.premarkup_total} of all "
          f"({100 * so.premarkup_recall:.1f}%)")
    for field, (sf, sh, fo, to) in so.premarkup_by_field.items():
        print(f"  {field:5s}: {sf}/{sh} shown, {fo}/{to} of all")
    for m in so.premarkup_missed:
        print(f"  shown, not found: {m}")
    shown, total = so.premarkup_links
    print(f"  not scored: {total} oracle links (url, sameAs), {shown} of them in a premarkup's markup; "
          f"plain links are not reported as a contact's (whose they are is not on the page)")
    ex = conformance.extruct_score(data)
    print(f"extruct-samples Person/Organization nodes (name and emails) found: {ex}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
