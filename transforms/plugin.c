/* transforms/plugin.c: the manifest of the built-in SMT plugin (transforms.so): Kafka
 * Connect's transforms and predicates plus the CDC unwrap, all written against the public SDK. */
#include <sluice/sdk.h>

#include "transforms.h"

static const sl_transform_def *const transforms[] = {
    &smt_cast_key,
    &smt_cast_value,
    &smt_drop_headers,
    &smt_extract_field_key,
    &smt_extract_field_value,
    &smt_filter,
    &smt_flatten_key,
    &smt_flatten_value,
    &smt_header_from_key,
    &smt_header_from_value,
    &smt_hoist_field_key,
    &smt_hoist_field_value,
    &smt_insert_field_key,
    &smt_insert_field_value,
    &smt_insert_header,
    &smt_mask_field_key,
    &smt_mask_field_value,
    &smt_regex_router,
    &smt_replace_field_key,
    &smt_replace_field_value,
    &smt_set_schema_metadata_key,
    &smt_set_schema_metadata_value,
    &smt_timestamp_converter_key,
    &smt_timestamp_converter_value,
    &smt_timestamp_router,
    &smt_value_to_key,
    &smt_cdc_unwrap,
    &smt_cdc_unwrap_debezium,
    NULL,
};

static const sl_predicate_def *const predicates[] = {
    &smt_has_header_key,
    &smt_record_is_tombstone,
    &smt_topic_name_matches,
    NULL,
};

SL_PLUGIN(.name = "transforms", .version = "1.0.0",
          .description = "Kafka Connect's single message transforms and predicates, and a "
                         "change-data-capture unwrap (ExtractNewRecordState).",
          .transforms = transforms, .predicates = predicates);
