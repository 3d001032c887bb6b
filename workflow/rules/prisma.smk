# PRISMA 2020 flow: every box counted from the files above, checked, tabled and drawn.


rule count_prisma:
    input:
        search_log="results/search/search_log.csv",
        clusters="results/dedup/clusters.csv",
        title_abstract="results/screening/title_abstract/decisions.csv",
        full_text="results/screening/full_text/decisions.csv",
    output:
        json="results/prisma/prisma.json",
        csv="results/prisma/prisma.csv",
        md="results/prisma/prisma.md",
        svg="results/prisma/prisma.svg",
        boxes=directory("results/prisma/boxes"),
    log:
        "logs/count_prisma.log",
    conda:
        "../envs/scoping.yaml"
    params:
        settings=get_prisma_settings,
    shell:
        "scoping prisma --search-log {input.search_log} --clusters {input.clusters}"
        " --title-abstract {input.title_abstract} --full-text {input.full_text}"
        " --outdir results/prisma --settings {params.settings:q} > {log} 2>&1 || {{ tail -n 2 {log} >&2; exit 1; }}"
