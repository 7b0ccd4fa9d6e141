/* qpdfload.h — libqpdf, opened the first time it is needed (dynload.h).
 *
 * Include this instead of <qpdf/qpdf-c.h>: the qpdf_* calls below then go
 * through the table unchanged.  A qpdf function not listed here does not
 * link: add it to TS_QPDF_FUNCS. */
#ifndef TS_QPDFLOAD_H
#define TS_QPDFLOAD_H

#include <qpdf/qpdf-c.h>

#define TS_QPDF_FUNCS(X) \
    X(qpdf_add_page) \
    X(qpdf_cleanup) \
    X(qpdf_get_buffer) \
    X(qpdf_get_buffer_length) \
    X(qpdf_get_error) \
    X(qpdf_get_error_full_text) \
    X(qpdf_get_num_pages) \
    X(qpdf_get_page_n) \
    X(qpdf_get_root) \
    X(qpdf_get_trailer) \
    X(qpdf_has_error) \
    X(qpdf_init) \
    X(qpdf_init_write_memory) \
    X(qpdf_make_indirect_object) \
    X(qpdf_more_warnings) \
    X(qpdf_next_warning) \
    X(qpdf_oh_append_item) \
    X(qpdf_oh_copy_foreign_object) \
    X(qpdf_oh_get_array_item) \
    X(qpdf_oh_get_array_n_items) \
    X(qpdf_oh_get_binary_string_value) \
    X(qpdf_oh_get_generation) \
    X(qpdf_oh_get_int_value) \
    X(qpdf_oh_get_key) \
    X(qpdf_oh_get_name) \
    X(qpdf_oh_get_numeric_value) \
    X(qpdf_oh_get_object_id) \
    X(qpdf_oh_get_utf8_value) \
    X(qpdf_oh_has_key) \
    X(qpdf_oh_insert_item) \
    X(qpdf_oh_is_array) \
    X(qpdf_oh_is_dictionary) \
    X(qpdf_oh_is_indirect) \
    X(qpdf_oh_is_integer) \
    X(qpdf_oh_is_name) \
    X(qpdf_oh_is_name_and_equals) \
    X(qpdf_oh_is_null) \
    X(qpdf_oh_is_number) \
    X(qpdf_oh_is_string) \
    X(qpdf_oh_new_array) \
    X(qpdf_oh_new_binary_string) \
    X(qpdf_oh_new_bool) \
    X(qpdf_oh_new_dictionary) \
    X(qpdf_oh_new_integer) \
    X(qpdf_oh_new_null) \
    X(qpdf_oh_new_real_from_double) \
    X(qpdf_oh_new_string) \
    X(qpdf_oh_new_unicode_string) \
    X(qpdf_oh_parse) \
    X(qpdf_oh_remove_key) \
    X(qpdf_oh_replace_key) \
    X(qpdf_read_memory) \
    X(qpdf_set_deterministic_ID) \
    X(qpdf_set_object_stream_mode) \
    X(qpdf_set_stream_data_mode) \
    X(qpdf_set_suppress_warnings) \
    X(qpdf_silence_errors) \
    X(qpdf_write)

typedef struct TsQpdf {
#define TS_QPDF_MEMBER(f) __typeof__(f) *f;
    TS_QPDF_FUNCS(TS_QPDF_MEMBER)
#undef TS_QPDF_MEMBER
} TsQpdf;

/* The table, loaded on first use (thread-safe; see dynload_open for a
 * library that cannot be loaded). */
const TsQpdf *ts_qpdf(void);

#ifndef TS_QPDF_TABLE
#define qpdf_add_page (ts_qpdf()->qpdf_add_page)
#define qpdf_cleanup (ts_qpdf()->qpdf_cleanup)
#define qpdf_get_buffer (ts_qpdf()->qpdf_get_buffer)
#define qpdf_get_buffer_length (ts_qpdf()->qpdf_get_buffer_length)
#define qpdf_get_error (ts_qpdf()->qpdf_get_error)
#define qpdf_get_error_full_text (ts_qpdf()->qpdf_get_error_full_text)
#define qpdf_get_num_pages (ts_qpdf()->qpdf_get_num_pages)
#define qpdf_get_page_n (ts_qpdf()->qpdf_get_page_n)
#define qpdf_get_root (ts_qpdf()->qpdf_get_root)
#define qpdf_get_trailer (ts_qpdf()->qpdf_get_trailer)
#define qpdf_has_error (ts_qpdf()->qpdf_has_error)
#define qpdf_init (ts_qpdf()->qpdf_init)
#define qpdf_init_write_memory (ts_qpdf()->qpdf_init_write_memory)
#define qpdf_make_indirect_object (ts_qpdf()->qpdf_make_indirect_object)
#define qpdf_more_warnings (ts_qpdf()->qpdf_more_warnings)
#define qpdf_next_warning (ts_qpdf()->qpdf_next_warning)
#define qpdf_oh_append_item (ts_qpdf()->qpdf_oh_append_item)
#define qpdf_oh_copy_foreign_object (ts_qpdf()->qpdf_oh_copy_foreign_object)
#define qpdf_oh_get_array_item (ts_qpdf()->qpdf_oh_get_array_item)
#define qpdf_oh_get_array_n_items (ts_qpdf()->qpdf_oh_get_array_n_items)
#define qpdf_oh_get_binary_string_value (ts_qpdf()->qpdf_oh_get_binary_string_value)
#define qpdf_oh_get_generation (ts_qpdf()->qpdf_oh_get_generation)
#define qpdf_oh_get_int_value (ts_qpdf()->qpdf_oh_get_int_value)
#define qpdf_oh_get_key (ts_qpdf()->qpdf_oh_get_key)
#define qpdf_oh_get_name (ts_qpdf()->qpdf_oh_get_name)
#define qpdf_oh_get_numeric_value (ts_qpdf()->qpdf_oh_get_numeric_value)
#define qpdf_oh_get_object_id (ts_qpdf()->qpdf_oh_get_object_id)
#define qpdf_oh_get_utf8_value (ts_qpdf()->qpdf_oh_get_utf8_value)
#define qpdf_oh_has_key (ts_qpdf()->qpdf_oh_has_key)
#define qpdf_oh_insert_item (ts_qpdf()->qpdf_oh_insert_item)
#define qpdf_oh_is_array (ts_qpdf()->qpdf_oh_is_array)
#define qpdf_oh_is_dictionary (ts_qpdf()->qpdf_oh_is_dictionary)
#define qpdf_oh_is_indirect (ts_qpdf()->qpdf_oh_is_indirect)
#define qpdf_oh_is_integer (ts_qpdf()->qpdf_oh_is_integer)
#define qpdf_oh_is_name (ts_qpdf()->qpdf_oh_is_name)
#define qpdf_oh_is_name_and_equals (ts_qpdf()->qpdf_oh_is_name_and_equals)
#define qpdf_oh_is_null (ts_qpdf()->qpdf_oh_is_null)
#define qpdf_oh_is_number (ts_qpdf()->qpdf_oh_is_number)
#define qpdf_oh_is_string (ts_qpdf()->qpdf_oh_is_string)
#define qpdf_oh_new_array (ts_qpdf()->qpdf_oh_new_array)
#define qpdf_oh_new_binary_string (ts_qpdf()->qpdf_oh_new_binary_string)
#define qpdf_oh_new_bool (ts_qpdf()->qpdf_oh_new_bool)
#define qpdf_oh_new_dictionary (ts_qpdf()->qpdf_oh_new_dictionary)
#define qpdf_oh_new_integer (ts_qpdf()->qpdf_oh_new_integer)
#define qpdf_oh_new_null (ts_qpdf()->qpdf_oh_new_null)
#define qpdf_oh_new_real_from_double (ts_qpdf()->qpdf_oh_new_real_from_double)
#define qpdf_oh_new_string (ts_qpdf()->qpdf_oh_new_string)
#define qpdf_oh_new_unicode_string (ts_qpdf()->qpdf_oh_new_unicode_string)
#define qpdf_oh_parse (ts_qpdf()->qpdf_oh_parse)
#define qpdf_oh_remove_key (ts_qpdf()->qpdf_oh_remove_key)
#define qpdf_oh_replace_key (ts_qpdf()->qpdf_oh_replace_key)
#define qpdf_read_memory (ts_qpdf()->qpdf_read_memory)
#define qpdf_set_deterministic_ID (ts_qpdf()->qpdf_set_deterministic_ID)
#define qpdf_set_object_stream_mode (ts_qpdf()->qpdf_set_object_stream_mode)
#define qpdf_set_stream_data_mode (ts_qpdf()->qpdf_set_stream_data_mode)
#define qpdf_set_suppress_warnings (ts_qpdf()->qpdf_set_suppress_warnings)
#define qpdf_silence_errors (ts_qpdf()->qpdf_silence_errors)
#define qpdf_write (ts_qpdf()->qpdf_write)
#endif

#endif
