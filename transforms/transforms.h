/* transforms/transforms.h: every transform and predicate definition the built-in SMT plugin
 * provides; plugin.c lists them in the manifest and unit tests call them directly. */
#ifndef SLUICE_TRANSFORMS_TRANSFORMS_H
#define SLUICE_TRANSFORMS_TRANSFORMS_H

#include <sluice/sdk.h>

/* Static definitions (plugin data, valid while the plugin is loaded). Each instance created by
 * a definition's init() is used from one task thread only. */
extern const sl_transform_def smt_insert_field_key, smt_insert_field_value;
extern const sl_transform_def smt_replace_field_key, smt_replace_field_value;
extern const sl_transform_def smt_mask_field_key, smt_mask_field_value;
extern const sl_transform_def smt_value_to_key;
extern const sl_transform_def smt_extract_field_key, smt_extract_field_value;
extern const sl_transform_def smt_hoist_field_key, smt_hoist_field_value;
extern const sl_transform_def smt_cast_key, smt_cast_value;
extern const sl_transform_def smt_flatten_key, smt_flatten_value;
extern const sl_transform_def smt_timestamp_converter_key, smt_timestamp_converter_value;
extern const sl_transform_def smt_timestamp_router;
extern const sl_transform_def smt_regex_router;
extern const sl_transform_def smt_set_schema_metadata_key, smt_set_schema_metadata_value;
extern const sl_transform_def smt_header_from_key, smt_header_from_value;
extern const sl_transform_def smt_insert_header;
extern const sl_transform_def smt_drop_headers;
extern const sl_transform_def smt_filter;
/* The change-data-capture unwrap, as io.sluice.transforms.ExtractNewRecordState and under
 * Debezium's class name io.debezium.transforms.ExtractNewRecordState. */
extern const sl_transform_def smt_cdc_unwrap, smt_cdc_unwrap_debezium;

extern const sl_predicate_def smt_topic_name_matches;
extern const sl_predicate_def smt_has_header_key;
extern const sl_predicate_def smt_record_is_tombstone;

#endif
