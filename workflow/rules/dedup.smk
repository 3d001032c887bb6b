# Deduplication across all sources; people decide uncertain pairs in the dedup review sheet.


checkpoint prepare_dedup_review:
    output:
        manifest="results/dedup/review_sheet.json",
    log:
        "logs/prepare_dedup_review.log",
    conda:
        "../envs/scoping.yaml"
    params:
        review=DEDUP_REVIEW,
    shell:
        "scoping dedup-init --review {params.review:q} --manifest {output.manifest} > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"


rule dedup_records:
    input:
        records=expand("results/search/{source}.csv", source=SOURCES),
        manifest="results/dedup/review_sheet.json",
        review=get_dedup_review_sheet,
    output:
        clusters="results/dedup/clusters.csv",
        records="results/dedup/records.csv",
        merges="results/dedup/merge_log.csv",
    log:
        "logs/dedup_records.log",
    conda:
        "../envs/scoping.yaml"
    params:
        settings=settings_json("dedup"),
    shell:
        "scoping dedup {input.records} --output {output.clusters} --records {output.records}"
        " --log {output.merges} --review {input.review:q}"
        " --settings {params.settings:q} > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"
