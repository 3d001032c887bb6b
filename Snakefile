# scoping: a scoping review from searches to a PRISMA flow.
# Rules live in workflow/rules/, helpers in workflow/rules/common.smk, logic in src/scoping/.
from snakemake.utils import min_version, validate

from scoping.config_check import check_config

min_version("9.0")


# The live review's config, unless another one is given with --configfile (then that one
# alone: merging the two would mix the live review's sources into, say, the demo).
if not config:

    configfile: "config/config.yaml"


check_config(
    config, schema_path=workflow.source_path("workflow/schemas/config.schema.yaml")
)
validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/search.smk"
include: "workflow/rules/dedup.smk"
include: "workflow/rules/screening.smk"
include: "workflow/rules/prisma.smk"


rule all:
    default_target: True
    input:
        get_final_outputs(),
