# Deduplication across all sources; people decide uncertain pairs in the dedup review sheet.


rule dedup_records:
    input:
        records=expand("results/search/{source}.csv", source=SOURCES),
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
        review=f"{SCREENING_DIR}/dedup_review.xlsx",
        settings=settings_json("dedup"),
    shell:
        "scoping dedup {input.records} --output {output.clusters} --records {output.records}"
        " --log {output.merges} --review {params.review:q} --settings {params.settings:q}"
        " > {log} 2>&1"
