# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# Apache License 2.0 (see LICENSE)
"""Semantic option-processing cases (issue 11 part 2): (id, config, code, the server's exact text).

Each config is rejected by `nats-server -t` (2.15.1) with the text, and our findings carry the same
text under the code. ``{C}`` is the test certificate folder (tests/unit/.../data/certs).
"""

from __future__ import annotations

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
    ("dur_ok", 'ping_interval: "1m30.5s"\nwrite_deadline: "1.5h"'),
]
