# Two-reviewer screening. The sheets under the screening folder belong to people: no rule
# lists them as outputs (Snakemake deletes outputs before rerunning a job). `prepare_sheets`
# creates them once and later only appends rows; its output is a manifest.


checkpoint prepare_sheets:
    input:
        records="results/dedup/records.csv",
        included=get_include_from,
    output:
        manifest="results/screening/{stage}/sheets.json",
    log:
        "logs/prepare_sheets/{stage}.log",
    wildcard_constraints:
        stage="|".join(STAGES),
    conda:
        "../envs/scoping.yaml"
    params:
        include=get_include_flag,
        folder=SCREENING_DIR,
        settings=get_screening_settings,
    shell:
        "scoping sheets --stage {wildcards.stage} --records {input.records} {params.include}"
        " --dir {params.folder:q} --manifest {output.manifest} --settings {params.settings:q}"
        " > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"


rule reconcile_screening:
    input:
        records="results/dedup/records.csv",
        included=get_include_from,
        manifest="results/screening/{stage}/sheets.json",
        sheets=get_sheet_paths,
    output:
        decisions="results/screening/{stage}/decisions.csv",
        agreement="results/screening/{stage}/agreement.json",
    log:
        "logs/reconcile_screening/{stage}.log",
    wildcard_constraints:
        stage="|".join(STAGES),
    conda:
        "../envs/scoping.yaml"
    params:
        include=get_include_flag,
        folder=SCREENING_DIR,
        settings=get_screening_settings,
    shell:
        "scoping reconcile --stage {wildcards.stage} --records {input.records} {params.include}"
        " --dir {params.folder:q} --output {output.decisions} --agreement {output.agreement}"
        " --settings {params.settings:q} > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"


rule rank_records:
    input:
        records="results/dedup/records.csv",
        decisions="results/screening/title_abstract/decisions.csv",
    output:
        ranking="results/screening/title_abstract/priority.csv",
        report="results/screening/title_abstract/priority.json",
    log:
        "logs/rank_records.log",
    conda:
        "../envs/scoping.yaml"
    params:
        folder=SCREENING_DIR,
        settings=get_screening_settings,
    shell:
        "scoping priority --records {input.records} --decisions {input.decisions}"
        " --dir {params.folder:q} --output {output.ranking} --report {output.report}"
        " --settings {params.settings:q} > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"
