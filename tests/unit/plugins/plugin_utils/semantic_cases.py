# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Semantic option-processing cases (issue 11 part 2): (id, config, code, the server's exact text).

Each config is rejected by `nats-server -t` (2.15.1) with the text, and our findings carry the same
text under the code. ``{C}`` is the test certificate folder (tests/unit/.../data/certs).
"""

from __future__ import annotations

# A test account signed by a test operator (census keys of the spec, no expiry).
ACC = "ACLDYEHFLN6YIEGCVAV3V4Z2IBLJY3YGR5VF6UANZGF6IUGDUV6R3D6B"
ACC_JWT = (
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiAiRlVVN1dPRUZNQU9DQUdMRko2WUk3RFdCVEtTN"
    "ElUVkxQTDNRSTVMS0IyQVlZN1g3Q1JQUSIsICJpYXQiOiAxNzk1NjQwODAwLCAiaXNzIjogIk9ER1ZLNU1DU0FBWDJPQTZZT1RUM"
    "jdXR1FHNEVUM1hJUFBLU1VNNU9RV1RUUjJaQjJWRlgzV01OIiwgIm5hbWUiOiAiQUNDIiwgInN1YiI6ICJBQ0xEWUVIRkxONllJR"
    "UdDVkFWM1Y0WjJJQkxKWTNZR1I1VkY2VUFOWkdGNklVR0RVVjZSM0Q2QiIsICJuYXRzIjogeyJ0eXBlIjogImFjY291bnQiLCAid"
    "mVyc2lvbiI6IDJ9fQ.Oyys-op_oBAMkgLAVnR_4GnZNkQb9fdtmd9ZZp6biSu-Hwk7JmmGqo5-7j5RpqjswISCedkx5FKcLZCrV7"
    "BhCQ"
)
ACC_JWT_BAD_SIG = (
    "eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiAiRlVVN1dPRUZNQU9DQUdMRko2WUk3RFdCVEtTN"
    "ElUVkxQTDNRSTVMS0IyQVlZN1g3Q1JQUSIsICJpYXQiOiAxNzk1NjQwODAwLCAiaXNzIjogIk9ER1ZLNU1DU0FBWDJPQTZZT1RUM"
    "jdXR1FHNEVUM1hJUFBLU1VNNU9RV1RUUjJaQjJWRlgzV01OIiwgIm5hbWUiOiAiQUNDIiwgInN1YiI6ICJBQ0xEWUVIRkxONllJR"
    "UdDVkFWM1Y0WjJJQkxKWTNZR1I1VkY2VUFOWkdGNklVR0RVVjZSM0Q2QiIsICJuYXRzIjogeyJ0eXBlIjogImFjY291bnQiLCAid"
    "mVyc2lvbiI6IDJ9fQ.Ayys-op_oBAMkgLAVnR_4GnZNkQb9fdtmd9ZZp6biSu-Hwk7JmmGqo5-7j5RpqjswISCedkx5FKcLZCrV7"
    "BhCQ"
)

CASES = [
    # ---- mappings ----------------------------------------------------------------------------
    ("map_bad_subject", 'mappings { "foo..bar": baz }', "mapping-invalid", 'Subject "foo..bar" is not a valid subject'),
    ("acc_map_bad_subject", 'accounts { A: { mappings { "foo..bar": baz } } }', "mapping-invalid",
     'Subject "foo..bar" is not a valid subject'),
    ("map_not_map", 'mappings { foo: ["x"] }', "mapping-invalid", "Expected an entry for the mapping destination"),
    ("map_weight_str", 'mappings { foo: [{dest: bar, weight: "x%"}] }', "mapping-invalid",
     'Invalid weight "x" for mapping destination'),
    ("map_weight_range", 'mappings { foo: [{dest: bar, weight: 101}] }', "mapping-invalid",
     "Invalid weight 101 for mapping destination"),
    ("map_weight_str_range", 'mappings { foo: [{dest: bar, weight: "-5%"}] }', "mapping-invalid",
     "Invalid weight -5 for mapping destination"),
    ("map_weight_type", 'mappings { foo: [{dest: bar, weight: true}] }', "mapping-invalid",
     "Unknown entry type for weight of true"),
    ("map_dest_unknown", 'mappings { foo: [{dest: bar, weight: 50, bogus: 1}] }', "mapping-invalid",
     'Unknown field "bogus" for mapping destination'),
    ("map_no_weight", 'mappings { foo: [{dest: bar}] }', "mapping-invalid", 'Missing weight for mapping destination "bar"'),
    ("map_wildcard_range", 'mappings { "foo.*": "bar.{{wildcard(2)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "bar.{{wildcard(2)}}" : invalid mapping destination: wildcard index out '
     'of range in {{wildcard(2)}}: [2]'),
    ("map_unknown_fn", 'mappings { "foo.*": "bar.{{bogus(1)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "bar.{{bogus(1)}}" : invalid mapping destination: unknown function in '
     '{{bogus(1)}}'),
    ("map_total", 'mappings { foo: [{dest: bar, weight: 60}, {dest: baz, weight: 60}] }', "mapping-invalid",
     'Error adding mapping for "foo" : total weight needs to be <= 100'),
    ("map_dup", 'mappings { foo: [{dest: bar, weight: 30}, {dest: bar, weight: 30}] }', "mapping-invalid",
     'Error adding mapping for "foo" : duplicate entry for "bar"'),
    ("map_single_map", 'mappings { "foo.*": {dest: "bar.{{wildcard(2)}}", weight: 100} }', "mapping-invalid",
     'Error adding mapping for "foo.*" : invalid mapping destination: wildcard index out of range in '
     '{{wildcard(2)}}: [2]'),
    ("map_dollar_no_wc", 'mappings { foo: "bar.$1" }', "mapping-invalid",
     'Error adding mapping for "foo" to "bar.$1" : invalid mapping destination: wildcard index out of range in $1'),
    ("map_greedy_args", 'mappings { "foo.*": "{{wildcard(1)}}{{wildcard(2)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "{{wildcard(1)}}{{wildcard(2)}}" : invalid mapping destination: function '
     'argument is invalid or in the wrong format in {{wildcard(1)}}{{wildcard(2)}}'),
    ("map_not_enough", 'mappings { "foo.*": "{{splitFromLeft(1)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "{{splitFromLeft(1)}}" : invalid mapping destination: not enough '
     'arguments passed to the function in {{splitFromLeft(1)}}'),
    ("map_too_many", 'mappings { "foo.*": "{{wildcard(1,2)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "{{wildcard(1,2)}}" : invalid mapping destination: too many arguments '
     'passed to the function in {{wildcard(1,2)}}'),
    ("map_split_arg", 'mappings { "foo.*": "{{split(1,a b)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "{{split(1,a b)}}" : invalid mapping destination: function argument is '
     'invalid or in the wrong format in {{split(1,a b)}}'),
    ("map_empty_token", 'mappings { foo: "bar..baz" }', "mapping-invalid",
     'Error adding mapping for "foo" to "bar..baz" : invalid mapping destination: invalid transform'),
    ("map_dest_wildcard", 'mappings { foo: "bar.*" }', "mapping-invalid",
     'Error adding mapping for "foo" to "bar.*" : invalid subject'),
    ("map_fwc_mismatch", 'mappings { "foo.>": "bar" }', "mapping-invalid",
     'Error adding mapping for "foo.>" to "bar" : invalid subject'),
    ("map_fn_no_wildcards", 'mappings { foo: "{{splitFromLeft(1,2)}}" }', "mapping-invalid",
     'Error adding mapping for "foo" to "{{splitFromLeft(1,2)}}" : invalid mapping destination: wildcard index out '
     'of range in {{splitFromLeft(1,2)}}'),
    ("map_partition_arg", 'mappings { "foo.*": "{{partition(x)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "{{partition(x)}}" : invalid mapping destination: function argument is '
     'invalid or in the wrong format in {{partition(x)}}'),
    ("map_random_args", 'mappings { "foo.*": "{{random(1,2)}}" }', "mapping-invalid",
     'Error adding mapping for "foo.*" to "{{random(1,2)}}" : invalid mapping destination: not enough arguments '
     'passed to the function in {{random(1,2)}}'),
    # ---- tls -------------------------------------------------------------------------------
    ("tls_cert_int", "tls { cert_file: 1 }", "option-wrong-type", "error parsing tls config, expected 'cert_file' to be filename"),
    ("tls_key_int", "tls { key_file: 1 }", "option-wrong-type", "error parsing tls config, expected 'key_file' to be filename"),
    ("tls_ca_int", "tls { ca_file: 1 }", "option-wrong-type", "error parsing tls config, expected 'ca_file' to be filename"),
    ("tls_insecure_int", "tls { insecure: 1 }", "option-wrong-type", "error parsing tls config, expected 'insecure' to be a boolean"),
    ("tls_verify_int", "tls { verify: 1 }", "option-wrong-type", "error parsing tls config, expected 'verify' to be a boolean"),
    ("tls_vam_int", "tls { verify_and_map: 1 }", "option-wrong-type",
     "error parsing tls config, expected 'verify_and_map' to be a boolean"),
    ("tls_vcck_int", "tls { verify_cert_and_check_known_urls: 1 }", "option-wrong-type",
     "error parsing tls config, expected 'verify_cert_and_check_known_urls' to be a boolean"),
    ("tls_allow_int", "tls { allow_insecure_cipher_suites: 1 }", "option-wrong-type",
     "error parsing tls config, expected 'allow_insecure_cipher_suites' to be a boolean"),
    ("tls_vcck_client", "tls { verify_cert_and_check_known_urls: true }", "tls-invalid",
     "verify_cert_and_check_known_urls not supported in this context"),
    ("tls_vcck_leaf", 'leafnodes { listen: "127.0.0.1:-1", tls { verify_cert_and_check_known_urls: true } }',
     "tls-invalid", "verify_cert_and_check_known_urls not supported in this context"),
    ("tls_ciphers_empty", "tls { cipher_suites: [] }", "tls-invalid", "error parsing tls config, 'cipher_suites' cannot be empty"),
    ("tls_curves_empty", "tls { curve_preferences: [] }", "tls-invalid",
     "error parsing tls config, 'curve_preferences' cannot be empty"),
    ("tls_cipher_unknown", 'tls { cipher_suites: ["x"] }', "tls-invalid", "unrecognized cipher x"),
    ("tls_curve_unknown", 'cluster { listen: "127.0.0.1:-1", tls { curve_preferences: ["P256"] } }', "tls-invalid",
     "unrecognized curve preference P256"),
    ("tls_ciphers_string", 'tls { cipher_suites: "x" }', "option-wrong-type",
     "interface conversion: interface {} is string, not []interface {}"),
    ("tls_timeout_bad", 'tls { timeout: "x" }', "tls-invalid", "error parsing tls config, 'timeout' time: invalid duration \"x\""),
    ("tls_timeout_unit", 'tls { timeout: "2sec" }', "tls-invalid",
     "error parsing tls config, 'timeout' time: unknown unit \"sec\" in duration \"2sec\""),
    ("tls_timeout_type", "tls { timeout: true }", "option-wrong-type", "error parsing tls config, 'timeout' wrong type"),
    ("tls_rate_type", 'tls { connection_rate_limit: "x" }', "option-wrong-type",
     "error parsing tls config, 'connection_rate_limit' wrong type"),
    ("tls_pinned_bad", 'tls { pinned_certs: ["ABC"] }', "tls-invalid",
     "error parsing tls config, 'pinned_certs' key abc does not look like hex-encoded sha256 of DER encoded "
     "SubjectPublicKeyInfo"),
    ("tls_pinned_type", 'tls { pinned_certs: "x" }', "tls-invalid",
     "error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded "
     "SubjectPublicKeyInfo"),
    ("tls_certstore_unknown", "tls { cert_store: bogus }", "tls-invalid", "cert store type not implemented"),
    ("tls_certstore_windows", "tls { cert_store: WindowsCurrentUser }", "tls-invalid",
     "cert_store not compatible with current operating system"),
    ("tls_certstore_empty", 'tls { cert_store: "" }', "option-invalid-value", "expected 'cert_store' to be a valid non-empty string"),
    ("tls_matchby_int", "tls { cert_match_by: 1 }", "option-wrong-type", "expected 'cert_match_by' to be a valid non-empty string"),
    ("tls_matchby_unknown", "tls { cert_match_by: x }", "tls-invalid", "cert match by type not implemented"),
    ("tls_match_int", "tls { cert_match: 1 }", "option-wrong-type", "expected 'cert_match' to be a valid non-empty string"),
    ("tls_cmsi_int", "tls { cert_match_skip_invalid: 1 }", "option-wrong-type", "expected 'cert_match_skip_invalid' to be a boolean"),
    ("tls_ca_certs_match", 'tls { ca_certs_match: [1, "x"] }', "tls-invalid",
     "error parsing ca_cert_match: unsupported type *conf.token where string is expected"),
    ("tls_first_invalid", 'tls { handshake_first: "maybe" }', "tls-invalid", 'field "handshake_first"\'s value "maybe" is invalid'),
    ("tls_first_type", "tls { first: 1 }", "tls-invalid", 'field "first" should be a boolean or a string, got int64'),
    ("tls_ocsp_peer_int", "tls { ocsp_peer: 1 }", "tls-invalid",
     "error parsing ocsp peer config: unsupported type map[string]interface {}"),
    ("tls_ocsp_peer_field", "tls { ocsp_peer { bogus: 1 } }", "tls-invalid",
     'error parsing tls peer config, unknown field ["bogus"]'),
    ("tls_ocsp_peer_bool", "tls { ocsp_peer { warn_only: 1 } }", "tls-invalid",
     'error parsing tls peer config, unknown field ["warn_only"]'),
    ("tls_ocsp_peer_conv", 'tls { ocsp_peer { ca_timeout: "x" } }', "tls-invalid",
     'error parsing tls peer config, conversion error: time: invalid duration "x"'),
    ("tls_ocsp_peer_type", "tls { ocsp_peer { ca_timeout: true } }", "tls-invalid",
     "error parsing tls peer config, conversion error: unexpected type"),
    ("tls_certs_type", "tls { certs: 1 }", "tls-invalid",
     "error parsing certificates config: unsupported type map[string]interface {}"),
    ("tls_certs_value", "tls { certs: [{cert_file: 1}] }", "tls-invalid", "error parsing certificates config: unsupported type int64"),
    ("tls_certs_unknown", 'tls { certs: [{cert_file: a, key_file: b, bogus: "x"}] }', "tls-invalid",
     'error parsing tls certs config, unknown field "bogus"'),
    ("tls_certs_incomplete", "tls { certs: [{cert_file: a}] }", "tls-invalid",
     "error parsing certificates config: both 'cert_file' and 'cert_key' options are required"),
    ("tls_certs_and_cert", "tls { cert_file: a, certs: [{cert_file: a, key_file: b}] }", "tls-invalid",
     "error parsing tls config, cannot combine 'cert_file' option with 'certs' option"),
    ("tls_minver_low", 'tls { min_version: "1.1" }', "tls-invalid", "error parsing tls config: unsupported TLS version: TLS 1.1"),
    ("tls_minver_unknown", 'tls { min_version: "1.4" }', "tls-invalid", "error parsing tls config: unknown version: 1.4"),
    ("tls_minver_type", "tls { min_version: 1.1 }", "tls-invalid", "error parsing tls config: 'min_version' wrong type: 1.1"),
    ("tls_insecure_cipher", 'tls { cipher_suites: ["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", '
     '"TLS_AES_128_GCM_SHA256"] }', "tls-invalid",
     "insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: TLS_RSA_WITH_RC4_128_SHA, "
     "TLS_RSA_WITH_AES_128_CBC_SHA"),
    ("tls_missing_key", "tls { cert_file: a }", "tls-invalid", "missing 'key_file' in TLS configuration"),
    ("tls_missing_cert", 'gateway { name: g, listen: "127.0.0.1:-1", tls { key_file: a } }', "tls-invalid",
     "missing 'cert_file' in TLS configuration"),
    ("tls_remote_missing_key", 'leafnodes { remotes: [{url: "nats://127.0.0.1:4", tls { cert_file: a }}] }', "tls-invalid",
     "missing 'key_file' in TLS configuration"),
    ("tls_resolver_missing_key", "resolver_tls { cert_file: a }", "tls-invalid", "missing 'key_file' in TLS configuration"),
    ("tls_cert_and_store", "tls { cert_file: a, key_file: b, cert_store: WindowsLocalMachine }", "tls-invalid",
     "cert_store not compatible with current operating system"),
    # ---- accounts: exports, imports, options -------------------------------------------------
    ("acc_bad_nkey", 'accounts { A: { nkey: "ABAD" } }', "account-options-invalid",
     'Not a valid public nkey for an account: "ABAD"'),
    ("exports_not_array", "accounts { A: { exports: 1 } }", "block-wrong-type", "Exports should be an array, got int64"),
    ("imports_not_array", "accounts { A: { imports: 1 } }", "block-wrong-type", "Imports should be an array, got int64"),
    ("exp_not_map", 'accounts { A: { exports: ["x"] } }', "block-wrong-type",
     "Export Items should be a map with type entry, got string"),
    ("imp_not_map", 'accounts { A: { imports: ["x"] } }', "block-wrong-type",
     "Import Items should be a map with type entry, got string"),
    ("exp_service_after_stream", "accounts { A: { exports: [{stream: foo, service: bar}] } }", "account-export-invalid",
     ('Detected service "bar" but already saw a stream', 'Detected stream "foo" but already saw a service')),
    ("exp_resp_on_stream", "accounts { A: { exports: [{stream: foo, response: single}] } }", "account-export-invalid",
     "Detected response directive on non-service"),
    ("exp_trace_on_stream", "accounts { A: { exports: [{stream: foo, allow_trace: true}] } }", "account-export-invalid",
     "Detected allow_trace directive on non-service"),
    ("exp_svc_int", "accounts { A: { exports: [{service: 1}] } }", "option-wrong-type",
     "Expected service name to be string, got int64"),
    ("exp_stream_int", "accounts { A: { exports: [{stream: 1}] } }", "option-wrong-type",
     "Expected stream name to be string, got int64"),
    ("exp_resp_int", "accounts { A: { exports: [{service: foo, response: 1}] } }", "option-wrong-type",
     "Expected response type to be string, got int64"),
    ("exp_resp_unknown", "accounts { A: { exports: [{service: foo, response: many}] } }", "option-invalid-value",
     'Unknown response type: "many"'),
    ("exp_dup_resp", "accounts { A: { exports: [{service: foo, response: single, response_type: stream}] } }",
     "account-export-invalid", "Duplicate response type definition"),
    ("exp_dup_threshold", 'accounts { A: { exports: [{service: foo, threshold: "1s", response_threshold: "2s"}] } }',
     "account-export-invalid", "Duplicate response threshold detected"),
    ("exp_threshold_int", "accounts { A: { exports: [{service: foo, threshold: 1}] } }", "option-wrong-type",
     "Expected response threshold to be a parseable time duration, got int64"),
    ("exp_threshold_bad", 'accounts { A: { exports: [{service: foo, threshold: "x"}] } }', "account-export-invalid",
     'Expected response threshold to be a parseable time duration, got "x"'),
    ("exp_unknown", "accounts { A: { exports: [{service: foo, bogus: 1}] } }", "unknown-field", 'unknown field "bogus"'),
    ("exp_token_pos", 'accounts { A: { exports: [{service: "foo.*", account_token_position: 3}] } }',
     "account-export-invalid", 'Error adding service export "foo.*": sublist: invalid subject'),
    ("exp_stream_token_pos", 'accounts { A: { exports: [{stream: "foo.bar", account_token_position: 1}] } }',
     "account-export-invalid", 'Error adding stream export "foo.bar": sublist: invalid subject'),
    ("lat_type", "accounts { A: { exports: [{service: foo, latency: 1}] } }", "option-wrong-type",
     "Expected latency entry to be a map/struct or string, got int64"),
    ("lat_sample_bad", 'accounts { A: { exports: [{service: foo, latency: {sampling: "x%", subject: lat}}] } }',
     "account-export-invalid", 'Failed to parse latency sample: strconv.Atoi: parsing "x": invalid syntax'),
    ("lat_sample_range", "accounts { A: { exports: [{service: foo, latency: {sampling: 200, subject: lat}}] } }",
     "account-export-invalid", "bad sampling percentage, should be 1-100"),
    ("lat_sample_type", "accounts { A: { exports: [{service: foo, latency: {sampling: true, subject: lat}}] } }",
     "account-export-invalid", "Expected latency sample to be a string or map/struct, got bool"),
    ("lat_stream_response", 'accounts { A: { exports: [{service: foo, response: stream, latency: lat}] } }',
     "account-export-invalid", 'Error adding service latency sampling for "foo" on subject "lat": bad service response type'),
    ("lat_no_subject", "accounts { A: { exports: [{service: foo, latency: {sampling: 50}}] } }", "account-export-invalid",
     "Latency subject required, but missing"),
    ("lat_subject_int", "accounts { A: { exports: [{service: foo, latency: {subject: 1}}] } }", "account-export-invalid",
     "Expected latency subject to be a string, got string"),
    ("lat_on_stream", "accounts { A: { exports: [{stream: foo, latency: lat}] } }", "account-export-invalid",
     "Detected latency directive on non-service"),
    ("lat_bad_subject", 'accounts { A: { exports: [{service: foo, latency: "lat.*"}] } }', "account-export-invalid",
     'Error adding service latency sampling for "foo" on subject "lat.*": invalid publish subject'),
    ("imp_stream_after_service", "accounts { A: { imports: [{service: {account: B, subject: foo}, "
     "stream: {account: B, subject: bar}}] }, B: {} }", "account-import-invalid",
     ("Detected stream but already saw a service", "Detected service but already saw a stream")),
    ("imp_missing_subject", "accounts { A: { imports: [{stream: {account: B}}] } }", "account-import-invalid",
     "Expect an account name and a subject"),
    ("imp_stream_not_map", "accounts { A: { imports: [{stream: foo}] } }", "account-import-invalid",
     "Stream entry should be an account map, got string"),
    ("imp_service_not_map", "accounts { A: { imports: [{service: foo}] } }", "account-import-invalid",
     "Service entry should be an account map, got string"),
    ("imp_trace_on_service", "accounts { A: { imports: [{service: {account: B, subject: foo}, allow_trace: true}] }, "
     "B: { exports: [{service: foo}] } }", "account-import-invalid", "Detected allow_trace directive on a non-stream"),
    ("imp_unknown", "accounts { A: { imports: [{stream: {account: B, subject: foo}, bogus: 1}] }, "
     "B: { exports: [{stream: foo}] } }", "unknown-field", 'unknown field "bogus"'),
    ("imp_unknown_remote", "accounts { A: { imports: [{stream: {account: B, subject: foo, bogus: 1}}] }, "
     "B: { exports: [{stream: foo}] } }", "unknown-field", 'unknown field "bogus"'),
    ("imp_svc_dup_subject", "accounts { A: { imports: [{service: {account: B, subject: foo}, to: x}, "
     "{service: {account: B, subject: bar}, to: x}] }, B: { exports: [{service: foo}, {service: bar}] } }",
     "account-import-invalid", 'Duplicate service import subject "x", previously used in import for account "B", subject "foo"'),
    ("imp_stream_not_auth", "accounts { A: { imports: [{stream: {account: B, subject: foo}}] }, B: {} }",
     "account-import-invalid", 'Error adding stream import "foo": stream import not authorized'),
    ("imp_stream_not_approved", "accounts { A: { imports: [{stream: {account: B, subject: foo}}] }, "
     "B: { exports: [{stream: foo, accounts: [C]}] }, C: {} }", "account-import-invalid",
     'Error adding stream import "foo": stream import not authorized'),
    ("imp_stream_wider", 'accounts { A: { imports: [{stream: {account: B, subject: ">"}}] }, '
     'B: { exports: [{stream: "foo.>"}] } }', "account-import-invalid",
     'Error adding stream import ">": stream import not authorized'),
    ("imp_token_pos", 'accounts { A: { imports: [{stream: {account: B, subject: "foo.C"}}] }, '
     'B: { exports: [{stream: "foo.*", account_token_position: 2}] }, C: {} }', "account-import-invalid",
     'Error adding stream import "foo.C": stream import not authorized'),
    ("imp_stream_bad_prefix", 'accounts { A: { imports: [{stream: {account: B, subject: foo}, prefix: "x.*"}] }, '
     "B: { exports: [{stream: foo}] } }", "account-import-invalid",
     'Error adding stream import "foo": stream import prefix can not contain wildcard tokens'),
    ("imp_stream_dup", "accounts { A: { imports: [{stream: {account: B, subject: foo}}, {stream: {account: B, subject: foo}, "
     "to: bar}] }, B: { exports: [{stream: foo}] } }", "account-import-invalid",
     'Error adding stream import "foo": stream import already exists'),
    ("imp_svc_not_auth", "accounts { A: { imports: [{service: {account: B, subject: foo}}] }, B: {} }",
     "account-import-invalid", 'Error adding service import "foo": service import not authorized'),
    ("imp_svc_not_approved", "accounts { A: { imports: [{service: {account: B, subject: foo}}] }, "
     "B: { exports: [{service: foo, accounts: [C]}] }, C: {} }", "account-import-invalid",
     'Error adding service import "foo": service import not authorized'),
    ("imp_svc_cycle", "accounts { A: { exports: [{service: foo}], imports: [{service: {account: B, subject: foo}}] }, "
     "B: { exports: [{service: foo}], imports: [{service: {account: A, subject: foo}}] } }", "account-import-invalid",
     'Error adding service import "foo": import forms a cycle'),
    ("imp_stream_cycle", "accounts { A: { exports: [{stream: foo}], imports: [{stream: {account: B, subject: foo}}] }, "
     "B: { exports: [{stream: foo}], imports: [{stream: {account: A, subject: foo}}] } }", "account-import-invalid",
     'Error adding stream import "foo": import forms a cycle'),
    ("imp_stream_transform", 'accounts { A: { imports: [{stream: {account: B, subject: "foo.*"}, to: "bar.{{partition(3)}}"}] }, '
     'B: { exports: [{stream: "foo.*"}] } }', "account-import-invalid",
     'Error adding stream import "foo.*": failed to create mapping transform for stream import subject from "foo.*" to '
     '"bar.{{partition(3)}}": invalid mapping destination: the only mapping function allowed for import transforms is '
     '{{Wildcard()}} in {{partition(3)}}'),
    ("acc_js_string", "accounts { A: { jetstream: maybe } }", "account-options-invalid",
     "Expected 'enabled' or 'disabled' for string value, got 'maybe'"),
    ("acc_js_type", "accounts { A: { jetstream: 1 } }", "option-wrong-type",
     "Expected map, bool or string to define JetStream, got int64"),
    ("acc_js_size", 'accounts { A: { jetstream { max_mem: "1G" } } }', "option-wrong-type",
     'Expected a parseable size for "max_mem", got 1G'),
    ("acc_js_bool", "accounts { A: { jetstream { max_bytes_required: 1 } } }", "option-wrong-type",
     'Expected a parseable bool for "max_bytes_required", got 1'),
    ("acc_js_traffic_type", "accounts { A: { jetstream { cluster_traffic: 1 } } }", "option-wrong-type",
     "Expected either 'system' or 'owner' string value for \"cluster_traffic\", got 1"),
    ("acc_js_traffic_val", "accounts { A: { jetstream { cluster_traffic: foo } } }", "option-invalid-value",
     "Expected 'system' or 'owner' string value for \"cluster_traffic\", got foo"),
    ("acc_limits_type", "accounts { A: { limits: 1 } }", "block-wrong-type",
     "Expected account limits to be a map/struct, got 1"),
    ("acc_limits_unknown", "accounts { A: { limits { max_bogus: 1 } } }", "unknown-field",
     'Unknown field "max_bogus" parsing account limits'),
    ("acc_limits_value", 'accounts { A: { limits { max_conn: "x" } } }', "option-wrong-type",
     "interface conversion: interface {} is string, not int64"),
    ("trace_dest_int", "accounts { A: { msg_trace { dest: 1 } } }", "option-wrong-type",
     'Field "dest" should be a string, got int64'),
    ("trace_dest_bad", 'accounts { A: { msg_trace { dest: "foo.*" } } }', "account-options-invalid",
     'Trace destination "foo.*" is not valid'),
    ("trace_dest_string_bad", 'accounts { A: { trace_dest: "foo.>" } }', "account-options-invalid",
     'Trace destination "foo.>" is not valid'),
    ("trace_sampling_range", "accounts { A: { msg_trace { dest: foo, sampling: 200 } } }", "option-invalid-value",
     "Ttrace destination sampling value 200 is invalid, needs to be [1..100]"),
    ("trace_sampling_str", 'accounts { A: { msg_trace { dest: foo, sampling: "x%" } } }', "account-options-invalid",
     'Invalid trace destination sampling value "x%"'),
    ("trace_sampling_type", "accounts { A: { msg_trace { dest: foo, sampling: true } } }", "option-wrong-type",
     'Trace destination sampling field "sampling" should be an integer or a percentage, got bool'),
    ("trace_unknown", "accounts { A: { msg_trace { dest: foo, bogus: 1 } } }", "unknown-field",
     'Unknown field "bogus" parsing account message trace map/struct "msg_trace"'),
    ("trace_type", "accounts { A: { msg_trace: 1 } }", "block-wrong-type",
     'Expected account message trace "msg_trace" to be a string or a map/struct, got int64'),
    ("trace_sampling_nodest", "accounts { A: { msg_trace { sampling: 50 } } }", "account-options-invalid",
     "Trace destination sampling ignored since no destination was set"),
    # ---- resolver, operator ----------------------------------------------------------------------
    ("resolver_wrong_type", "resolver: 1", "option-wrong-type", "error parsing operator resolver, wrong type int64"),
    ("resolver_bogus", 'resolver: "bogus"', "resolver-invalid",
     'error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type state=[FULL|CACHE])'),
    ("resolver_map_type", "resolver { type: bogus }", "resolver-invalid",
     'error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type state=[FULL|CACHE])'),
    ("resolver_full_ttl", 'resolver { type: full, dir: "{D}/r", ttl: "1h" }', "resolver-invalid", "FULL does not accept ttl"),
    ("resolver_cache_sync", 'resolver { type: cache, dir: "{D}/r", interval: "1m" }', "resolver-invalid",
     "CACHE does not accept sync"),
    ("resolver_cache_delete", 'resolver { type: cache, dir: "{D}/r", allow_delete: true }', "resolver-invalid",
     "CACHE does not accept allow_delete"),
    ("resolver_cache_hard", 'resolver { type: cache, dir: "{D}/r", hard_delete: false }', "resolver-invalid",
     "CACHE does not accept hard_delete"),
    ("resolver_hard_no_delete", 'resolver { type: full, dir: "{D}/r", hard_delete: true }', "resolver-invalid",
     "hard_delete has no effect without delete"),
    ("resolver_ttl_bad", 'resolver { type: full, dir: "{D}/r", ttl: "x" }', "resolver-invalid", 'time: invalid duration "x"'),
    ("resolver_dir_type", "resolver { type: full, dir: 1 }", "option-wrong-type",
     "interface conversion: interface {} is int64, not string"),
    ("resolver_dir_empty", 'resolver { type: full, dir: "" }', "resolver-invalid",
     "dir has no value and needs to point to a directory"),
    ("resolver_timeout_zero", 'resolver { type: full, dir: "{D}/r", timeout: "0s" }', "resolver-invalid",
     "Fetch timeout 0s is too smal"),
    ("preload_type", "resolver_preload: 1", "option-wrong-type", "preload should be a map of account_public_key:account_jwt"),
    ("preload_value_type", "resolver_preload { A: 1 }", "resolver-invalid", "preload map value should be a string JWT"),
    ("preload_not_jwt", 'resolver_preload { A: "x" }', "resolver-invalid", "invalid account JWT"),
    ("preload_bad_sig", 'resolver: MEMORY\nresolver_preload { %s: "%s" }' % (ACC, ACC_JWT_BAD_SIG), "resolver-invalid",
     "invalid account JWT"),
    ("pinned_accts_int", "resolver_pinned_accounts: 1", "option-wrong-type",
     "error parsing resolver_pinned_accounts: unsupported type int64"),
    ("pinned_accts_arr_int", 'resolver_pinned_accounts: [1, "x"]', "resolver-invalid",
     "error parsing resolver_pinned_accounts: unsupported type in array int64"),
    ("operator_int", "operator: 1", "option-wrong-type", "error parsing operators: unsupported type int64"),
    ("operator_list_bool", "operator: [true]", "operator-options-invalid",
     "error parsing operators: unsupported type *conf.token where string is expected"),
    ("operator_bad_inline", 'operator: "eyJhbGciOiJub25lIn0.e30.x"\nresolver: MEMORY', "operator-options-invalid",
     "error parsing operator JWT: "),
    ("operator_account_inline", 'operator: "%s"\nresolver: MEMORY' % ACC_JWT, "operator-options-invalid",
     'error parsing operator JWT: not operator claim'),
    ("trusted_int", "trusted: 1", "option-wrong-type", "error parsing trusted: unsupported type int64"),
    ("trusted_arr_int", "trusted: [true]", "operator-options-invalid", "error parsing trusted: unsupported type in array bool"),
    ("sysacc_not_string", "system_account: 1", "option-wrong-type", "system account name must be a string"),
    # ---- -t warnings that make -t exit 1: errors for our verdict -------------------------------
    ("auth_timeout_high", "authorization { timeout: 90 }", "auth-timeout-invalid",
     'invalid use of field "timeout": timeout of 90 (90.000000 seconds) is high, consider keeping it under 60 seconds. '
     "possibly caused by unquoted duration; use '1m' instead of 1m, for example"),
    ("auth_timeout_high_str", 'cluster { listen: "127.0.0.1:-1", authorization { timeout: "2m" } }', "auth-timeout-invalid",
     'invalid use of field "timeout": timeout of 2m (120.000000 seconds) is high'),
    ("auth_timeout_high_float", "gateway { name: g, listen: \"127.0.0.1:-1\", authorization { timeout: 61.5 } }",
     "auth-timeout-invalid", 'invalid use of field "timeout": timeout of 61.5 (61.500000 seconds) is high'),
    ("leaf_timeout_high", "leafnodes { authorization { timeout: 120 } }", "auth-timeout-invalid",
     'invalid use of field "timeout": timeout of 120 (120.000000 seconds) is high'),
    ("auth_timeout_bad", 'authorization { timeout: "x" }', "auth-timeout-invalid",
     "error parsing authorization config, 'timeout' time: invalid duration \"x\""),
    ("auth_timeout_type", "authorization { timeout: true }", "option-wrong-type",
     "error parsing authorization config, 'timeout' wrong type"),
    ("leaf_timeout_unit", 'leafnodes { authorization { timeout: "1y" } }', "auth-timeout-invalid",
     "error parsing leafnode authorization config, 'timeout' time: unknown unit \"y\" in duration \"1y\""),
    ("leaf_timeout_type", "leafnodes { authorization { timeout: {a: 1} } }", "option-wrong-type",
     "error parsing leafnode authorization config, 'timeout' wrong type"),
    ("cluster_auth_perms", 'cluster { listen: "127.0.0.1:-1", authorization { user: a, password: b, '
     'permissions: { publish: ">" } } }', "cluster-authorization-permissions",
     'invalid use of field "authorization": setting "permissions" within cluster authorization block is deprecated'),
    ("ping_interval_int", "ping_interval: 5", "option-deprecated-duration",
     'invalid use of field "ping_interval": ping_interval should be converted to a duration'),
    # ---- durations (grammar) -----------------------------------------------------------------
    ("dur_unknown_unit", 'ping_interval: "10sec"', "option-invalid-value",
     'error parsing ping_interval: time: unknown unit "sec" in duration "10sec"'),
    ("dur_missing_unit", 'write_deadline: "10"', "option-invalid-value",
     'error parsing write_deadline: time: missing unit in duration "10"'),
    ("dur_invalid", 'lame_duck_duration: "x1m"', "option-invalid-value",
     'error parsing lame_duck_duration: time: invalid duration "x1m"'),
]

# Configs nats-server -t accepts that look close to the cases above (no finding of our codes).
VALID = [
    ("map_ok_functions", 'mappings { "a.*.*": "x.{{wildcard(2)}}.{{partition(10,1,2)}}.{{split(1,-)}}", '
     '"b.*": "{{ Wildcard( 1 ) }}", "c.*": "{{left(1,2)}}.{{right(1,2)}}.{{sliceFromLeft(1,2)}}", '
     '"d": "{{partition(3)}}.{{random(5)}}", "e.*": "$1", "f.>": "g.>" }'),
    ("map_ok_weighted", 'mappings { foo: [{dest: bar, weight: "40%"}, {dest: baz, weight: 60, cluster: c1}] }'),
    ("tls_ok_parse", 'tls { cipher_suites: ["TLS_RSA_WITH_RC4_128_SHA"], allow_insecure_cipher_suites: true, '
     'curve_preferences: [X25519, CurveP256], timeout: "2s", handshake_first: "300ms", min_version: "1.3", '
     'pinned_certs: ["' + "aB" * 32 + '"], ocsp_peer { verify: false, ca_timeout: 2 }, ca_certs_match: 1 }'),
    ("tls_vcck_cluster_ok", 'cluster { listen: "127.0.0.1:-1", tls { verify_cert_and_check_known_urls: false } }'),
    ("acc_ok_graph", 'accounts { A: { exports: [{stream: "foo.*", accounts: [B]}, {service: "svc.>", '
     'threshold: "2s", latency: {subject: lat, sampling: "50%"}}, {stream: "pos.*", account_token_position: 2}], '
     'jetstream: { max_mem: 1024, cluster_traffic: owner }, limits: { max_conn: 10 }, '
     'msg_trace: { dest: trace.here, sampling: "20%" } }, '
     'B: { imports: [{stream: {account: A, subject: "foo.x"}, prefix: p}, {service: {account: A, subject: "svc.a"}, to: local}, '
     '{stream: {account: A, subject: "pos.B"}}, {stream: {account: A, subject: "foo.*"}, to: "bar.$1"}] } }'),
    ("auth_timeout_ok", 'authorization { timeout: "1m" }\nleafnodes { authorization { timeout: 60 } }'),
    ("resolver_ok", 'resolver { type: full, dir: "{D}/r", allow_delete: true, hard_delete: true, interval: "2m", '
     'timeout: "500ms" }\nresolver_pinned_accounts: ["x"]'),
    ("resolver_mem_preload_ok", 'resolver: MEMORY\nresolver_preload { %s: "%s" }' % (ACC, ACC_JWT)),
    ("dur_ok", 'ping_interval: "1m30.5s"\nwrite_deadline: "1.5h"'),
]

# The server's verdict depends on Go's random map order (which key it processes first): it rejects these
# configs in some runs and accepts them in others. We always report them.
RANDOM = [
    ("lat_no_system", "no_system_account: true\naccounts { A: { exports: [{service: foo, latency: lat}] } }",
     "account-export-invalid", 'Error adding service latency sampling for "foo": system account not setup'),
    ("imp_prefix_and_to", "accounts { A: { imports: [{stream: {account: B, subject: foo}, prefix: p, to: bar}] }, "
     "B: { exports: [{stream: foo}] } }", "account-import-invalid", "Stream import can not have a 'prefix' and a 'to' property"),
]
