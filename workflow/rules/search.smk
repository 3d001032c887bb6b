# Identification: one search per configured source, then one search log for the review.


rule fetch_pubmed:
    output:
        records="results/search/{source}.csv",
        log_row="results/search/{source}.log.csv",
    log:
        "logs/fetch_pubmed/{source}.log",
    wildcard_constraints:
        source=PUBMED_SOURCES,
    conda:
        "../envs/scoping.yaml"
    resources:
        # NCBI allows 3 requests/s per user (10 with a key): one search at a time.
        ncbi=1,
    params:
        query=source_setting("query"),
        filters=source_setting("filters", []),
        mindate=source_setting("mindate"),
        maxdate=source_setting("maxdate"),
        max_records=get_max_records,
        arm=source_setting("arm", "database"),
        base_url=pubmed_setting("base_url"),
        # The cache is a param, not an output: Snakemake would delete an output before a rerun.
        cache_dir=pubmed_setting("cache_dir", "results/cache/pubmed"),
        batch_size=pubmed_setting("batch_size", 1000),
        refresh=pubmed_setting("refresh", False),
    shell:
        "scoping pubmed {params.query:q} --filters={params.filters:q} --source={wildcards.source}"
        " --source-type={params.arm} --mindate={params.mindate:q} --maxdate={params.maxdate:q}"
        " --max-records={params.max_records:q} --base-url={params.base_url:q}"
        " --cache-dir={params.cache_dir:q} --batch-size={params.batch_size}"
        " --refresh={params.refresh} --output {output.records} --search-log {output.log_row}"
        " > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"


rule import_source:
    input:
        get_source_file,
    output:
        records="results/search/{source}.csv",
        log_row="results/search/{source}.log.csv",
    log:
        "logs/import_source/{source}.log",
    wildcard_constraints:
        source=FILE_SOURCES,
    conda:
        "../envs/scoping.yaml"
    params:
        arm=source_setting("arm", "other"),
        format=source_setting("format", "auto"),
        database=source_setting("database"),
        columns=source_setting("columns", {}),
        searched_on=source_setting("searched_on"),
        encoding=source_setting("encoding"),
        query=source_setting("query"),
    shell:
        "scoping import {input:q} --source={wildcards.source} --source-type={params.arm}"
        " --format={params.format:q} --database={params.database:q} --columns={params.columns:q}"
        " --searched-on={params.searched_on:q} --encoding={params.encoding:q}"
        " --query={params.query:q} --output {output.records} --search-log {output.log_row} > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"


rule log_searches:
    input:
        expand("results/search/{source}.log.csv", source=SOURCES),
    output:
        "results/search/search_log.csv",
    log:
        "logs/log_searches.log",
    conda:
        "../envs/scoping.yaml"
    shell:
        "scoping search-log {input} --output {output} > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"
