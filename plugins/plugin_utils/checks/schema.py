# -*- coding: utf-8 -*-
# Copyright (c) natsops.nats contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The option grammar of nats-server 2.15.1 as data: one ``Block`` per parse function of server/opts.go.

Each block lists its keys (lower case; the server matches keys case-insensitively in most blocks, and
aliases are simply several keys mapped to one ``Field``), what each key accepts and the exact text the
server prints when it does not. ``walk(ctx)`` applies the schema to a parsed config and returns
``Problem`` tuples; ``checks/options.py`` turns them into ``unknown-field``, ``option-wrong-type``,
``option-invalid-value``, ``block-wrong-type`` and ``listen-invalid`` findings.

What a value may be (the ``kind`` of a Field):

- ``S``, ``I``, ``B``, ``ARR``, ``MAP``: the server asserts the Go type without checking (``v.(string)``);
  anything else makes it panic, and it prints Go's ``interface conversion: interface {} is int64, not
  string`` at the token it looked at last (the key, or the enclosing block's key when the parse function
  has no panic handler of its own: ``Block.catches_panics``).
- ``Want(types, message)``: the server checks the type and prints ``message`` (a template: ``{key}`` the
  key as written, ``{T}`` Go's %T of the value, ``{v}`` its %v, ``{q}`` its %q).
- a ``Block``: a nested map parsed by another function; ``Block.not_map`` is its message for a non-map
  (None: the server panics on the map assertion).
- ``Each(block, not_list, item_not_map)``: an array of maps.
- ``DURATION``, ``LISTEN``: parseDuration and parseListen of opts.go (their errors are produced by
  ``checks/options.py``, which owns these value grammars); ``Size(label)``: getStorageSize.
- ``ANY``: accepted here; its values are checked by a semantic check elsewhere (or not at all).

Blocks whose keys are user-chosen names (``accounts``, ``mappings``, ``server_metadata``,
``resolver_preload`` ...) are ``Named`` (every key is a name; ``each`` is the schema of each value).
"""

from __future__ import annotations

import difflib
import re

from ansible_collections.natsops.nats.plugins.plugin_utils.checks.base import duration_error, go_type
from ansible_collections.natsops.nats.plugins.plugin_utils import versions

__all__ = ["S", "I", "B", "ARR", "MAP", "ANY", "DURATION", "LISTEN", "Want", "Item", "Size", "one_of", "between", "size_error", "Block", "Each", "Named",
           "TOP", "BLOCKS", "Problem", "walk", "value_check", "go_v", "suggest", "block_of"]


class Assert(object):
    """An unguarded Go type assertion: a mismatch panics with Go's interface conversion text."""
    __slots__ = ("go",)

    def __init__(self, go):
        self.go = go

    def __repr__(self):
        return "Assert(%s)" % self.go


S = Assert("string")
I = Assert("int64")  # noqa: E741
B = Assert("bool")
ARR = Assert("[]interface {}")
MAP = Assert("map[string]interface {}")
ANY = None
DURATION = "duration"
LISTEN = "listen"

_GO_OF = {"string": str, "int64": int, "bool": bool, "float64": float, "[]interface {}": list,
          "map[string]interface {}": dict}


class Want(object):
    """A checked type: values of ``types`` (Go type names) for which ``valid`` holds pass, others get ``message``.

    ``invalid`` (the message for a value ``valid`` refuses) may be a function of the value.
    ``item``: for an array value, an ``Item`` rule its entries must follow."""
    __slots__ = ("types", "message", "code", "valid", "invalid", "item")

    def __init__(self, types, message, code="option-wrong-type", valid=None, invalid=None, item=None):
        self.types = tuple(types)
        self.message = message
        self.code = code
        self.valid = valid
        self.invalid = invalid or message
        self.item = item


class Item(object):
    """The entries of an array value must be of Go type ``go``; others get ``message`` ({T}: the entry's type),
    at the entry (every bad one, like parseStringArray) or, with ``at_key``, once at the key."""
    __slots__ = ("go", "message", "at_key")

    def __init__(self, go, message, at_key=False):
        self.go = go
        self.message = message
        self.at_key = at_key


class Size(object):
    """getStorageSize: an integer or "<n>K|M|G|T"; the server prefixes its error with ``label``."""
    __slots__ = ("label",)

    def __init__(self, label):
        self.label = label


def one_of(*values):
    """valid= for a string that must be one of values (case-insensitive, like strings.EqualFold / ToLower)."""
    allowed = set(v.lower() for v in values)
    return lambda v: not isinstance(v, str) or v.lower() in allowed


def between(low, high):
    """valid= for an integer range (inclusive)."""
    return lambda v: not isinstance(v, int) or isinstance(v, bool) or low <= v <= high


class Block(object):
    """One opts.go parse function: its keys, its non-map text and its unknown-field text."""
    __slots__ = ("func", "fields", "not_map", "unknown", "catches_panics", "exact_case", "accept", "any_key")

    def __init__(self, func, fields, not_map=None, unknown='unknown field "{key}"', catches_panics=True,
                 exact_case=False, accept=(), any_key=None):
        self.func = func
        self.fields = {}
        for keys, kind in fields:
            for k in keys.split():
                self.fields[k] = kind
        self.not_map = not_map
        self.unknown = unknown
        self.catches_panics = catches_panics
        self.exact_case = exact_case
        self.accept = tuple(accept)  # Go types the server takes instead of a map (e.g. bool for allow_responses)
        self.any_key = any_key  # kind of every key not in fields (user-chosen names), instead of unknown

    def __repr__(self):
        return "Block(%s)" % self.func


class Each(object):
    """An array whose items are maps of ``block``."""
    __slots__ = ("block", "not_list", "item_not_map")

    def __init__(self, block, not_list=None, item_not_map=None):
        self.block = block
        self.not_list = not_list
        self.item_not_map = item_not_map


class Named(object):
    """A map of user-chosen names to values of schema ``each`` (None: not checked)."""
    __slots__ = ("func", "each", "not_map", "catches_panics")

    def __init__(self, func, each=None, not_map=None, catches_panics=True):
        self.func = func
        self.each = each
        self.not_map = not_map
        self.catches_panics = catches_panics


class Problem(tuple):
    """(code, message, path, hint, block_func) of one schema violation."""
    __slots__ = ()

    def __new__(cls, code, message, path, hint=None, func=None):
        return tuple.__new__(cls, (code, message, tuple(path), hint, func))

    code = property(lambda self: self[0])
    message = property(lambda self: self[1])
    path = property(lambda self: self[2])
    hint = property(lambda self: self[3])
    func = property(lambda self: self[4])


# ---------------------------------------------------------------- Go %v ---

def go_v(value):
    """Go's fmt %v of a parsed value (scalars as the server prints them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        if text.endswith(".0"):
            text = text[:-2]
        return text
    if isinstance(value, list):
        return "[%s]" % " ".join(go_v(v) for v in value)
    if isinstance(value, dict):
        return "map[%s]" % " ".join("%s:%s" % (k, go_v(v)) for k, v in sorted(value.items()))
    return str(value)


def _go_q(value):
    text = str(value)
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def render(template, key, value):
    return template.replace("{key}", str(key)).replace("{T}", go_type(value)).replace(
        "{v}", go_v(value)).replace("{q}", _go_q(value))


def _is_go(value, go):
    if go == "int64":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, _GO_OF[go]) and not (go == "float64" and isinstance(value, bool))


def conversion(value, go):
    return "interface conversion: interface {} is %s, not %s" % (go_type(value), go)


def size_error(value):
    """getStorageSize's error for a value (None when it is a size)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if not isinstance(value, str):
        return "must be int64 or string"
    if value == "":
        return None
    prefix, suffix = value[:-1], value[-1:]
    if not re.match(r"^[+-]?[0-9]+$", prefix):
        return "strconv.ParseInt: parsing %s: invalid syntax" % _go_q(prefix)
    if suffix not in ("K", "M", "G", "T"):
        return "sizes defined as strings must end in K, M, G, T"
    return None


def suggest(key, block):
    """The closest known key of a block for a misspelt one (None when nothing is close)."""
    if not isinstance(key, str) or not isinstance(block, Block):
        return None
    found = difflib.get_close_matches(key.lower(), list(block.fields), n=1, cutoff=0.75)
    return found[0] if found else None


# ------------------------------------------------------------ the schema ---
# Field values: a kind (see the module docstring). Keys separated by spaces are aliases.

_COMPRESSION_T = Want(["bool", "string", "map[string]interface {}"], 'field "{key}" should be a boolean or a structure, got {T}')


def _strings(label):
    """parseStringArray: a string or an array of strings."""
    return Want(["string", "[]interface {}"], "error parsing %s: unsupported type {T}" % label,
                item=Item("string", "error parsing %s: unsupported type in array {T}" % label))


def _nonempty(value):
    return value != ""


def _is_duration(value):
    """valid= for a value time.ParseDuration reads when it is a string."""
    return not isinstance(value, str) or duration_error(value) is None


def _tls(func="parseTLS", prefix="error parsing tls config, "):
    filename = "%sexpected '{key}' to be filename" % prefix
    boolean = "%sexpected '{key}' to be a boolean" % prefix
    return Block(func, [
        ("cert_file", Want(["string"], filename.replace("{key}", "cert_file"))),
        ("key_file", Want(["string"], filename.replace("{key}", "key_file"))),
        ("ca_file", Want(["string"], filename.replace("{key}", "ca_file"))),
        ("insecure", Want(["bool"], boolean.replace("{key}", "insecure"))),
        ("verify", Want(["bool"], boolean.replace("{key}", "verify"))),
        ("verify_and_map", Want(["bool"], boolean.replace("{key}", "verify_and_map"))),
        ("verify_cert_and_check_known_urls", Want(["bool"], boolean.replace("{key}", "verify_cert_and_check_known_urls"))),
        ("allow_insecure_cipher_suites", Want(["bool"], boolean.replace("{key}", "allow_insecure_cipher_suites"))),
        ("cipher_suites curve_preferences", ARR),
        ("timeout", Want(["int64", "float64", "string"], prefix + "'timeout' wrong type")),
        ("connection_rate_limit", Want(["int64"], prefix + "'connection_rate_limit' wrong type")),
        ("cert_store", Want(["string"], "expected 'cert_store' to be a valid non-empty string", valid=_nonempty)),
        ("cert_match_by", Want(["string"], "expected 'cert_match_by' to be a valid non-empty string", valid=_nonempty)),
        ("pinned_certs ca_certs_match handshake_first first immediate ocsp_peer certs certificates min_version", ANY),
        ("cert_match", Want(["string"], "expected 'cert_match' to be a valid non-empty string", valid=_nonempty)),
        ("cert_match_skip_invalid", Want(["bool"], "expected 'cert_match_skip_invalid' to be a boolean")),
    ], not_map=None, unknown=prefix + 'unknown field "{key}"')


TLS = _tls()

SUBJECT_PERMISSION = Block("parseSubjectPermission", [("allow deny", ANY)], accept=("string", "[]interface {}"),
                           not_map="Expected subject permissions to be a subject, or array of subjects, got {T}",
                           unknown="Unknown field name \"{key}\" parsing subject permissions, only 'allow' or 'deny' are permitted")

ALLOW_RESPONSES = Block("parseAllowResponses", [
    ("max max_msgs max_messages max_responses", I),
    ("expires expiration ttl", Want(["string"], "error parsing expires, not a duration string", valid=_is_duration,
                                    invalid=lambda v: "error parsing expires: %s" % duration_error(v))),
], accept=("bool",), not_map="error parsing response permissions, expected a boolean or a map",
    unknown='Unknown field "{key}" parsing permissions')

PERMISSIONS = Block("parseUserPermissions", [
    ("pub publish import sub subscribe export", SUBJECT_PERMISSION),
    ("publish_allow_responses allow_responses", ALLOW_RESPONSES),
], not_map="Expected permissions to be a map/struct, got {v}", unknown='Unknown field "{key}" parsing permissions')

USER = Block("parseUsers", [
    ("nkey user username pass password", S),
    ("permission permissions authorization", PERMISSIONS),
    ("allowed_connection_types connection_types clients", _strings("allowed connection types")),
    ("proxy_required", B),
])

USERS = Each(USER, not_list="Expected users field to be an array, got {v}",
             item_not_map="Expected user entry to be a map/struct, got {v}")

AUTH_CALLOUT = Block("parseAuthCallout", [
    ("issuer account acc xkey key", S),
    ("auth_users users", Want(["[]interface {}"], "Expected auth_users field to be an array, got *conf.token")),
    ("allowed_accounts", Want(["[]interface {}"], "Expected allowed accounts field to be an array, got *conf.token")),
], not_map="Expected authorization callout to be a map/struct, got {v}",
    unknown='Unknown field "{key}" parsing authorization callout')

AUTHORIZATION = Block("parseAuthorization", [
    ("user username pass password token", S),
    ("timeout", Want(["int64", "float64", "string"], "error parsing authorization config, 'timeout' wrong type")),
    ("users", USERS),
    ("default_permission default_permissions permissions", PERMISSIONS),
    ("auth_callout auth_hook", AUTH_CALLOUT),
    ("proxy_required", B),
], not_map=None)

SIMPLE_AUTH = Block("parseSimpleAuth", [("user username pass password token", S), ("timeout", ANY)], not_map=None)

COMPRESSION = Block("parseCompression", [
    ("mode", S), ("rtt_thresholds thresholds rtts rtt", ARR),
], not_map=None, catches_panics=True)

_JETSTREAM_T = Want(["bool", "string", "map[string]interface {}"], "Expected map, bool or string to define JetStream, got {T}")
_WRITE_TIMEOUT = Want(["string"], "interface conversion: interface {} is {T}, not string",
                      valid=lambda v: v in ("default", "close", "retry"),  # case-sensitive in parseWriteDeadlinePolicy
                      invalid="write_timeout must be 'default', 'close' or 'retry'")

CLUSTER = Block("parseCluster", [
    ("name", S), ("listen", LISTEN), ("port", I), ("host net", S), ("authorization", AUTHORIZATION),
    ("routes", ARR), ("tls", TLS), ("cluster_advertise advertise", S), ("no_advertise", B),
    ("connect_retries", I), ("connect_backoff", B), ("permissions", PERMISSIONS), ("pool_size", I),
    ("accounts", _strings("accounts")), ("compression", _COMPRESSION_T), ("ping_interval write_deadline", DURATION),
    ("ping_max", I),
    ("write_timeout", _WRITE_TIMEOUT),
], not_map="Expected map to define cluster, got {T}")

GATEWAYS_ENTRY = Block("parseGateways", [("name", S), ("tls", TLS), ("url", S), ("urls", ARR)])

GATEWAY = Block("parseGateway", [
    ("name", S), ("listen", LISTEN), ("port", I), ("host net", S), ("authorization", AUTHORIZATION),
    ("tls", TLS), ("advertise", S), ("connect_retries", I), ("connect_backoff", B),
    ("gateways", Each(GATEWAYS_ENTRY, not_list="Expected gateways field to be an array, got {T}",
                      item_not_map="Expected gateway entry to be a map/struct, got {v}")),
    ("reject_unknown reject_unknown_cluster", B), ("write_deadline", DURATION), ("write_timeout", _WRITE_TIMEOUT),
], not_map="Expected gateway to be a map, got {T}")

LEAF_USER = Block("parseLeafUsers", [("user username pass password account", S), ("proxy_required", B)])

LEAF_AUTH = Block("parseLeafAuthorization", [
    ("user username pass password nkey account", S),
    ("timeout", Want(["int64", "float64", "string"], "error parsing leafnode authorization config, 'timeout' wrong type")),
    ("users", Each(LEAF_USER, not_list="Expected users field to be an array, got {v}",
                   item_not_map="Expected user entry to be a map/struct, got {v}")),
    ("proxy_required", B),
], not_map=None)

PROXY = Block("parseRemoteLeafNodes (proxy)", [("url username password", S), ("timeout", DURATION)],
              not_map="Expected proxy to be a map, got {T}")

REMOTE = Block("parseRemoteLeafNodes", [
    ("no_randomize dont_randomize", B), ("account local", S), ("creds credentials", S),
    ("url urls", Want(["string", "[]interface {}"], "Expected remote leafnode url to be an array or string, got {v}")),
    ("nkey seed", S), ("tls", TLS), ("hub", B), ("deny_imports deny_import deny_exports deny_export", ANY),
    ("ws_compress ws_compression websocket_compress websocket_compression", B),
    ("ws_no_masking websocket_no_masking", B),
    ("jetstream_cluster_migrate js_cluster_migrate", Want(["bool", "map[string]interface {}"],
                                                          "Expected boolean or map for jetstream_cluster_migrate, got {T}")),
    ("isolate_leafnode_interest isolate request_isolation", B), ("compression", _COMPRESSION_T),
    ("first_info_timeout dial_timeout", DURATION), ("disabled", B), ("proxy", PROXY),
    ("ignore_discovered_servers", B),
])

LEAFNODES = Block("parseLeafNodes", [
    ("listen", LISTEN), ("port", I), ("host net", S), ("authorization", LEAF_AUTH),
    ("remotes", Each(REMOTE, not_list="Expected remotes field to be an array, got {T}",
                     item_not_map="Expected remote leafnode entry to be a map/struct, got {v}")),
    ("reconnect reconnect_delay reconnect_interval dial_timeout", DURATION), ("tls", TLS),
    ("leafnode_advertise advertise", S), ("no_advertise", B), ("min_version minimum_version", S),
    ("compression", _COMPRESSION_T), ("isolate_leafnode_interest isolate", B), ("write_deadline", DURATION),
    ("write_timeout", _WRITE_TIMEOUT),
], not_map="Expected map to define a leafnode, got {T}")

_SIZE_T = Want(["int64"], 'Expected a parseable size for "{key}", got {v}')

# setJetStreamEkCipher: mv.(string) (a panic for other types), then the known names
_CIPHER = Want(["string"], "interface conversion: interface {} is {T}, not string", valid=one_of("chacha", "chachapoly", "aes"),
               invalid="Unknown cipher type: {q}")

JS_LIMITS = Block("parseJetStreamLimits", [
    ("max_ack_pending max_ha_assets max_request_batch default_max_consumers", I), ("duplicate_window", S),
    ("batch", Block("parseJetStreamLimitsBatch", [
        ("max_inflight_per_stream max_inflight_total max_msgs", I), ("timeout", S),
    ], not_map="Expected a map to define batch limits, got {T}", catches_panics=False)),
], not_map="Expected a map to define JetStreamLimits, got {T}", catches_panics=False)

JS_TPM = Block("parseJetStreamTPM", [
    ("keys_file encryption_password srk_password", S), ("pcr", I), ("cipher", _CIPHER),
], not_map="Expected a map to define JetStreamLimits, got {T}", catches_panics=False)

JETSTREAM = Block("parseJetStream", [
    ("enabled enable", B), ("strict", Want(["bool"], "Expected 'true' or 'false' for bool value, got '{v}'")),
    ("store store_dir storedir", S), ("sync sync_interval", ANY),
    ("max_memory_store max_mem_store max_mem", Size("max_mem_store")), ("max_file_store max_file", Size("max_file_store")),
    ("domain", S),
    ("key ek encryption_key prev_key prev_ek prev_encryption_key", S), ("cipher", _CIPHER), ("extension_hint", S),
    ("limits", JS_LIMITS), ("tpm", JS_TPM), ("unique_tag", S), ("max_outstanding_catchup", Size("max_outstanding_catchup")),
    ("max_buffered_size", Size("max_buffered_size")),
    ("max_buffered_msgs request_queue_limit info_queue_limit", _SIZE_T),
    ("meta_compact", Want(["int64"], 'Expected an absolute size for "{key}", got {v}', valid=between(0, 2 ** 63 - 1))),
    ("meta_compact_size", Size(None)), ("meta_compact_sync", B),
    ("max_concurrent_io", Want(["int64"], 'Expected an absolute size for "{key}" between 4 and 8192, got {v}',
                               valid=between(4, 8192))),
], not_map=None, catches_panics=False)

ACCOUNT_JETSTREAM = Block("parseJetStreamForAccount", [
    ("max_memory max_mem mem memory max_store max_file max_disk store disk max_streams streams max_consumers "
     "consumers mem_max_stream_bytes memory_max_stream_bytes disk_max_stream_bytes store_max_stream_bytes "
     "max_ack_pending", _SIZE_T),
    ("max_bytes_required max_stream_bytes max_bytes", Want(["bool"], 'Expected a parseable bool for "{key}", got {v}')),
    ("cluster_traffic", Want(["string"], "Expected either 'system' or 'owner' string value for \"{key}\", got {v}",
                             valid=one_of("system", "owner"), invalid="Expected 'system' or 'owner' string value for \"{key}\", got {v}")),
], not_map=None, catches_panics=False)

WEBSOCKET = Block("parseWebsocket", [
    ("listen", LISTEN), ("port", I), ("host net advertise", S), ("no_tls", B), ("tls", TLS), ("same_origin", B),
    ("allowed_origins allowed_origin allow_origins allow_origin origins origin", _strings("allowed origins")),
    ("handshake_timeout", Want(["int64", "string"], "error parsing handshake timeout: unsupported type {T}")),
    ("compress compression", B), ("authorization authentication", SIMPLE_AUTH),
    ("jwt_cookie user_cookie pass_cookie token_cookie no_auth_user", S),
    ("headers", Block("parseWebsocket (headers)", [], any_key=Want(["string"], "error parsing header key {key}: unsupported type {T}"),
                      not_map="error parsing headers: unsupported type {T}")),
    ("ping_interval", DURATION),
], not_map="Expected websocket to be a map, got {T}")

MQTT = Block("parseMQTT", [
    ("listen", LISTEN), ("port", I), ("host net", S), ("tls", TLS), ("authorization authentication", SIMPLE_AUTH),
    ("no_auth_user", S), ("ack_wait ackwait js_api_timeout api_timeout", DURATION),
    ("max_ack_pending max_pending max_inflight", I), ("js_domain", S), ("stream_replicas", I),
    ("consumer_replicas", ANY), ("consumer_memory_storage", B),
    ("consumer_inactive_threshold consumer_auto_cleanup", DURATION),
    ("reject_qos2_publish downgrade_qos2_subscribe", B),
], not_map="Expected mqtt to be a map, got {T}")

PROXIES = Block("parseProxies", [
    ("trusted", Each(Block("parseProxiesTrusted", [("key public_key", S)]),
                     not_list="expected proxies' trusted field to be an array, got {T}",
                     item_not_map="expected proxies' trusted entry to be a map/struct, got {T}")),
], not_map="expected proxies to be a map/struct, got {T}")

ACCOUNT_LIMITS = Block("parseAccountLimits", [
    ("max_connections max_conn max_subscriptions max_subs max_payload max_pay max_leafnodes max_leafs", I),
], not_map="Expected account limits to be a map/struct, got {v}", unknown='Unknown field "{key}" parsing account limits')

EXPORT = Block("parseExportStreamOrService", [
    ("stream", Want(["string"], "Expected stream name to be string, got {T}")),
    ("service", Want(["string"], "Expected service name to be string, got {T}")),
    ("response response_type", Want(["string"], "Expected response type to be string, got {T}",
                                    valid=one_of("single", "singleton", "stream", "chunk", "chunked"),
                                    invalid="Unknown response type: {q}")),
    ("threshold response_threshold response_max_time response_time",
     Want(["string"], "Expected response threshold to be a parseable time duration, got {T}")),
    ("accounts", ARR), ("latency", Want(["string", "map[string]interface {}"],
                                        "Expected latency entry to be a map/struct or string, got {T}")), ("account_token_position", I), ("allow_trace", ANY),
])

IMPORT_SOURCE = Block("parseAccount", [("account subject", S)])

IMPORT = Block("parseImportStreamOrService", [
    ("stream service", IMPORT_SOURCE), ("prefix to", S), ("share", B), ("allow_trace", ANY),
])

MSG_TRACE = Block("parseAccountMsgTrace", [
    ("dest", Want(["string"], 'Field "{key}" should be a string, got {T}')),
    ("sampling", Want(["int64", "string"], 'Trace destination sampling field "{key}" should be an integer or a percentage, got {T}',
                      valid=between(1, 100), invalid="Ttrace destination sampling value {v} is invalid, needs to be [1..100]")),
], accept=("string",), not_map='Expected account message trace "{parent}" to be a string or a map/struct, got {T}',
    unknown='Unknown field "{key}" parsing account message trace map/struct "{parent}"', catches_panics=False)

ACCOUNT = Block("parseAccounts (account)", [
    ("nkey", ANY),
    ("imports", Each(IMPORT, not_list="Imports should be an array, got {T}",
                     item_not_map="Import Items should be a map with type entry, got {T}")),
    ("exports", Each(EXPORT, not_list="Exports should be an array, got {T}",
                     item_not_map="Export Items should be a map with type entry, got {T}")),
    ("jetstream", _JETSTREAM_T), ("users", USERS), ("default_permissions", PERMISSIONS),
    ("mappings maps", MAP), ("limits", ACCOUNT_LIMITS), ("msg_trace trace_dest", MSG_TRACE),
])

ACCOUNTS = Named("parseAccounts", each=ACCOUNT)

RESOLVER_MAP = Block("resolver (map)", [
    ("dir type", S), ("allow_delete hard_delete", B), ("limit", I), ("ttl interval timeout", S),
], exact_case=True, unknown=None)

_OCSP_MODE = Want(["string"], "error parsing ocsp config: unsupported ocsp mode string",
                  valid=one_of("always", "must", "never", "auto"))
OCSP = Block("ocsp (map)", [("mode", _OCSP_MODE), ("url", S), ("urls", Assert("[]string"))],
             unknown="error parsing ocsp config: unsupported field string", exact_case=True, catches_panics=False)

_CACHE_FIELD = 'error parsing OCSP peer cache config, unknown field ["{key}"]'
OCSP_CACHE = Block("parseOCSPResponseCache", [
    ("type", Want(["string"], _CACHE_FIELD, valid=one_of("none", "local"),
                  invalid="error parsing OCSP peer cache config, unknown type [{v}]")),
    ("local_store", Want(["string"], _CACHE_FIELD)), ("preserve_revoked", Want(["bool"], _CACHE_FIELD)),
    ("save_interval", Want(["int64", "float64", "string"], "error parsing OCSP peer cache config, conversion error: unexpected type",
                           valid=_is_duration, invalid=lambda v: "error parsing tls peer config, conversion error: %s" % duration_error(v))),
], accept=("bool",), not_map="error parsing tags: unsupported type {T}", unknown=_CACHE_FIELD)

TOP = Block("processConfigFileLine", [
    ("listen http https", LISTEN), ("client_advertise server_name host net default_sentinel", S), ("port", I),
    ("debug trace trace_verbose trace_headers logtime logtime_utc disable_sublist_cache no_sublist_cache", B),
    ("mappings maps", MAP), ("accounts", ANY), ("authorization", AUTHORIZATION),
    ("http_port monitor_port https_port", I), ("http_base_path", S), ("cluster", CLUSTER), ("gateway", GATEWAY),
    ("leaf leafnodes", LEAFNODES), ("store_dir storedir", S), ("jetstream", _JETSTREAM_T),
    ("logfile log_file", S), ("logfile_size_limit log_size_limit logfile_max_num log_max_num", I),
    ("syslog", B), ("remote_syslog pidfile pid_file ports_file_dir", S), ("prof_port prof_block_rate", I),
    ("max_control_line max_payload max_pending", I), ("proxy_protocol", B),
    ("max_connections max_conn max_traced_msg_len max_subscriptions max_subs", I),
    ("max_sub_tokens max_subscription_tokens", I), ("ping_interval write_deadline", DURATION), ("ping_max", I),
    ("tls resolver_tls", TLS), ("ocsp", Want(["bool", "map[string]interface {}"], "error parsing ocsp config: unsupported type {T}")),
    ("allow_non_tls", B), ("write_timeout", _WRITE_TIMEOUT), ("lame_duck_duration lame_duck_grace_period", S),
    ("operator operators roots root root_operators root_operator", Want(
        ["string", "[]interface {}"], "error parsing operators: unsupported type {T}")),
    ("resolver account_resolver accounts_resolver", Want(
        ["string", "map[string]interface {}"], "error parsing operator resolver, wrong type {T}")),
    ("resolver_preload", Want(["map[string]interface {}"], "preload should be a map of account_public_key:account_jwt")),
    ("resolver_pinned_accounts", Want(["string", "[]interface {}"],
                                      "error parsing resolver_pinned_accounts: unsupported type {T}")),
    ("no_auth_user", S), ("system_account system", Want(["string"], "system account name must be a string")),
    ("no_system_account no_system no_sys_acc", B), ("no_header_support", B),
    ("trusted trusted_keys", Want(["string", "[]interface {}"], "error parsing trusted: unsupported type {T}")),
    ("connect_error_reports reconnect_error_reports", I), ("websocket ws", WEBSOCKET), ("mqtt", MQTT),
    ("server_tags", Want(["string", "[]interface {}"], "error parsing tags: unsupported type {T}",
                         item=Item("string", "error parsing tags: unsupported type *conf.token where string is expected", at_key=True))),
    ("server_metadata", Want(["map[string]interface {}"], "error parsing metadata: unsupported type {T}")),
    ("feature_flags", Want(["map[string]interface {}"], "error parsing feature flags: unsupported type {T}")),
    ("default_js_domain", Want(["map[string]interface {}"], "error default_js_domain config: unsupported type {T}")),
    ("ocsp_cache", OCSP_CACHE),
    ("no_fast_producer_stall", B), ("max_closed_clients", I), ("proxies", PROXIES),
])

# Values of these top-level keys whose every entry must be a string (the server asserts it and panics, at the
# entry for server_metadata, at the top-level key for default_js_domain).
STRING_VALUED_MAPS = {"server_metadata": ("string", True), "default_js_domain": ("string", False)}

BLOCKS = dict((b.func, b) for b in (
    TOP, CLUSTER, GATEWAY, GATEWAYS_ENTRY, LEAFNODES, LEAF_AUTH, LEAF_USER, REMOTE, PROXY, JETSTREAM, JS_LIMITS,
    JS_TPM, ACCOUNT_JETSTREAM, WEBSOCKET, MQTT, PROXIES, AUTHORIZATION, USER, PERMISSIONS, AUTH_CALLOUT, SIMPLE_AUTH,
    TLS, ACCOUNT, ACCOUNT_LIMITS, EXPORT, IMPORT, IMPORT_SOURCE, COMPRESSION, RESOLVER_MAP, OCSP, OCSP_CACHE,
    SUBJECT_PERMISSION, ALLOW_RESPONSES, MSG_TRACE))


# ------------------------------------------------------------- the walk ---

def _lookup(block, key):
    if not isinstance(key, str):
        return None, False
    name = key if block.exact_case else key.lower()
    if name in block.fields:
        return block.fields[name], True
    return None, False


def block_of(path):
    """The Block that holds the key at path (None when the schema does not reach it)."""
    block = TOP
    for seg in path[:-1]:
        if isinstance(block, Block):
            kind, found = _lookup(block, seg)
            if not found:
                return None
            block = kind
        elif isinstance(block, Each):
            block = block.block
        elif isinstance(block, Named):
            block = block.each
        else:
            return None
        if isinstance(block, Each) and isinstance(seg, int):
            block = block.block
    if isinstance(block, Each):
        block = block.block
    return block if isinstance(block, Block) else None


_VALUE_CHECKS = {}


def value_check(kind):
    """Register the function checking values of DURATION or LISTEN: f(key, value) -> (code, message, hint) or None."""
    def wrap(func):
        _VALUE_CHECKS[kind] = func
        return func
    return wrap


def walk(ctx):
    """Problems of the whole config against the schema (cached on ctx)."""
    cached = getattr(ctx, "_schema_problems", None)
    if cached is not None:
        return cached
    out = []
    _walk_block(ctx, (), TOP, (), out)
    apath, accounts = ctx.get((), "accounts")
    if isinstance(accounts, dict):
        for name, acc in accounts.items():
            p = apath + (name,)
            if isinstance(acc, dict) and p not in ctx.result.used:
                _walk_block(ctx, p, ACCOUNT, p, out)
                jp, js = ctx.get(p, "jetstream")
                if isinstance(js, dict):
                    _walk_block(ctx, jp, ACCOUNT_JETSTREAM, p, out)
    jpath, js = ctx.get((), "jetstream")
    if isinstance(js, dict):
        _walk_block(ctx, jpath, JETSTREAM, jpath, out)
    for blk in (("cluster",), ("leafnodes", "leaf")):
        bpath, b = ctx.block((), *blk)
        if b is not None:
            cpath, comp = ctx.get(bpath, "compression")
            if isinstance(comp, dict):
                _walk_block(ctx, cpath, COMPRESSION, cpath, out)
    rpath, res = ctx.get((), "resolver", "account_resolver", "accounts_resolver")
    if isinstance(res, dict):
        _walk_block(ctx, rpath, RESOLVER_MAP, rpath, out)
    opath, ocsp = ctx.get((), "ocsp")
    if isinstance(ocsp, dict):
        _walk_block(ctx, opath, OCSP, opath, out)
    fpath, flags = ctx.get((), "feature_flags")
    if isinstance(flags, dict):
        for k, v in flags.items():
            if not isinstance(v, bool):
                out.append(Problem("option-wrong-type", "error parsing feature flag %s: expected bool, got %s" % (
                    _go_q(k), go_type(v)), fpath + (k,), "feature flags are true or false", "feature_flags"))
                break
    for key, (go, at_entry) in STRING_VALUED_MAPS.items():
        mpath, m = ctx.get((), key)
        if isinstance(m, dict):
            for k, v in m.items():
                if not _is_go(v, go):
                    out.append(Problem("option-wrong-type", conversion(v, go), mpath + (k,) if at_entry else mpath,
                                       "write a string", key))
    ctx._schema_problems = out  # pylint: disable=protected-access
    return out


def _walk_block(ctx, path, block, panic_path, out):
    node = ctx.result.get(path) if path else ctx.config
    if not isinstance(node, dict):
        return
    used = ctx.result.used
    for key, value in node.items():
        kpath = tuple(path) + (key,)
        here = kpath if block.catches_panics else panic_path
        kind, found = _lookup(block, key)
        if not found and block.any_key is not None:
            kind, found = block.any_key, True
        other_version = found and not ctx.key_known(kpath)  # a key of another nats-server version (checks/base.py, versions)
        if other_version:
            found = False
        if not found:
            if block.unknown is None or kpath in used:
                continue
            close = suggest(key, block)
            if isinstance(key, str) and close == key.lower():  # known to another nats-server version only
                close = None
            hint = "did you mean %s?" % close if close else "remove it or fix the spelling"
            if other_version:
                hint = "nats-server %s does not know it (known to %s); remove it, or upgrade first" % (
                    ctx.version, versions.key_versions(versions.option_path(kpath)))
            out.append(Problem("unknown-field", render(block.unknown, key, value).replace(
                "{parent}", str(path[-1]) if path else ""), kpath, hint, block.func))
            continue
        _check_value(ctx, kpath, key, value, kind, here, out, block)


def _check_value(ctx, kpath, key, value, kind, here, out, block):
    if kind is ANY:
        return
    if kind in (DURATION, LISTEN):
        func = _VALUE_CHECKS.get(kind)
        found = func(key, value) if func else None
        if found:
            out.append(Problem(found[0], found[1], kpath, found[2], block.func))
        return
    if isinstance(kind, Assert):
        if kind.go == "[]string":
            out.append(Problem("option-wrong-type", conversion(value, "[]string"), here, "the server cannot read this value",
                               block.func))
        elif not _is_go(value, kind.go):
            out.append(Problem("option-wrong-type", conversion(value, kind.go), here, _type_hint(key, kind.go), block.func))
        return
    if isinstance(kind, Want):
        if not any(_is_go(value, t) for t in kind.types):
            out.append(Problem(kind.code, render(kind.message, key, value), kpath, _type_hint(key, kind.types[0]),
                               block.func))
        elif kind.valid is not None and not kind.valid(value):
            message = kind.invalid(value) if callable(kind.invalid) else render(kind.invalid, key, value)
            out.append(Problem("option-invalid-value", message, kpath,
                               "see the nats-server documentation of %s for the accepted values" % key, block.func))
        elif kind.item is not None and isinstance(value, list):
            for i, entry in enumerate(value):
                if not _is_go(entry, kind.item.go):
                    out.append(Problem(kind.code, render(kind.item.message, key, entry), kpath if kind.item.at_key else kpath + (i,),
                                       "every entry of %s is a string" % key, block.func))
                    if kind.item.at_key:
                        break
        return
    if isinstance(kind, Size):
        err = size_error(value)
        if err and kind.label:
            out.append(Problem("option-invalid-value", "%s %s" % (kind.label, err), kpath,
                               "write a size such as 1G, \"512M\" or an integer", block.func))
        elif (err or (isinstance(value, int) and value < 0)) and not kind.label:
            out.append(Problem("option-invalid-value", 'Expected an absolute size for "%s", got %s' % (key, go_v(value)),
                               kpath, "write a size such as 1G, \"512M\" or an integer", block.func))
        return
    if isinstance(kind, Block):
        if not isinstance(value, dict) and any(_is_go(value, t) for t in kind.accept):
            return
        if not isinstance(value, dict):
            if kind.not_map is None:
                out.append(Problem("option-wrong-type", conversion(value, "map[string]interface {}"), kpath,
                                   "%s is a block: write %s { ... }" % (key, key), kind.func))
            else:
                out.append(Problem("block-wrong-type", render(kind.not_map.replace("{parent}", str(key)), key, value), kpath,
                                   "%s is a block: write %s { ... }" % (key, key), kind.func))
            return
        _walk_block(ctx, kpath, kind, kpath if kind.catches_panics else here, out)
        return
    if isinstance(kind, Each):
        if not isinstance(value, list):
            if kind.not_list:
                out.append(Problem("block-wrong-type", render(kind.not_list, key, value), kpath,
                                   "%s is a list: write %s: [ { ... } ]" % (key, key), kind.block.func))
            return
        for i, item in enumerate(value):
            ipath = kpath + (i,)
            if not isinstance(item, dict):
                if kind.item_not_map:
                    out.append(Problem("block-wrong-type", render(kind.item_not_map, key, item), ipath,
                                       "each entry of %s is a map { ... }" % key, kind.block.func))
                continue
            _walk_block(ctx, ipath, kind.block, ipath, out)


def _type_hint(key, go):
    return "%s expects %s" % (key, {"int64": "an integer", "string": "a string", "bool": "true or false",
                                    "[]interface {}": "a list", "map[string]interface {}": "a map"}.get(go, go))
