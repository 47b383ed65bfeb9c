"""The English catalogue: the same keys as `verifier.messages_vi.VI` (see `verifier.messages`).

Hashes, sizes, addresses, URLs and check names are parameters and never translated.
"""

from __future__ import annotations

from typing import Final

EN: Final[dict[str, str]] = {
    # The sixteen checks of a proof bundle (verifier/FORMAT.md).
    "check.format": "{format}",
    "check.body_withheld": "body withheld",
    "check.body_matches": "body matches entry.content",
    "check.salted_body_matches": "salted body matches entry.content",
    "check.attachments_match": "{count} attachment(s) match entry.attachments",
    "check.no_documents": "no documents given",
    "check.documents_match": "documents match attachments {names}",
    "check.leaf_hash": "entry hashes to record id {record_id}",
    "check.leaf_hash_differs": "entry hashes to {computed}, record_id is {record_id}",
    "check.other_record": "bundle is for record {record_id}, want {want}",
    "check.signature": "EIP-712 signature by {operator}",
    "check.registry_differs": (
        "operator registry {registry} on chain {chain}, want {want} on chain {want_chain}"
    ),
    "check.offline": "offline",
    "check.active_now": "not anchored yet, so checked now: {operator} is active in {registry}",
    "check.inactive_now": (
        "not anchored yet, so checked now: {operator} is not active in {registry}"
    ),
    "check.active_at_anchor": (
        "{operator} was active in {registry} at the anchor's block time {time}: {registration}"
    ),
    "check.inactive_at_anchor": (
        "{operator} was not active in {registry} at the anchor's block time {time}: "
        "{registration}"
    ),
    "check.registrar_now": (
        "not anchored yet, so checked now: {operator} holds REGISTRAR_ROLE in {registry}"
    ),
    "check.not_registrar_now": (
        "not anchored yet, so checked now: {operator} does not hold REGISTRAR_ROLE in "
        "{registry} (only the department files plans)"
    ),
    "check.inactive_nor_registrar_now": (
        "not anchored yet, so checked now: {operator} is not active in {registry} and does not "
        "hold REGISTRAR_ROLE"
    ),
    "check.registrar_at_anchor": (
        "{operator} held REGISTRAR_ROLE in {registry} at the anchor's block {block}: granted in "
        "block {granted}"
    ),
    "check.not_registrar_at_anchor": (
        "{operator} did not hold REGISTRAR_ROLE in {registry} at the anchor's block {block} "
        "(only the department files plans)"
    ),
    "check.inactive_nor_registrar_at_anchor": (
        "{operator} was not active in {registry} at the anchor's block time {time} "
        "({registration}) and did not hold REGISTRAR_ROLE at its block {block}"
    ),
    "check.index_in_range": "index {index} < size {size}",
    "check.index_out_of_range": "index {index} is not below the checkpoint size {size}",
    "check.proof_length": "{count} hashes",
    "check.proof_length_differs": "inclusion proof has {got} hashes, want {want}",
    "check.inclusion": "entry is leaf {index} of the tree of size {size}",
    "check.inclusion_differs": (
        "inclusion proof computes root {computed}, checkpoint root is {root}"
    ),
    "check.checkpoint_signature": "signed by {key}",
    "check.checkpoint_origin": "origin {origin}",
    "check.origin_not_log": "checkpoint origin {origin}, log.origin is {log}",
    "check.origin_not_trusted": "checkpoint origin {origin}, the trusted origin is {trusted}",
    "check.checkpoint_key": "log key is the trusted key {key}",
    "check.key_differs": "log key {key}, trusted key is {trusted}",
    "check.checkpoint_key_earlier": (
        "log key is the trusted key {key}, which signed the log's checkpoints below size {until} "
        "(this one is of size {size}) before a key rotation"
    ),
    "check.no_anchor": "bundle has no anchor (not anchored yet)",
    "check.checkpoint_size": "checkpoint is the anchored one, size {size}",
    "check.anchor_differs": (
        "anchor is size {anchor_size} root {anchor_root}, checkpoint is size {size} root {root}"
    ),
    "check.anchor_chain": "{contract} on chain {chain}",
    "check.anchor_chain_differs": (
        "anchor is {contract} on chain {chain}, want {want} on chain {want_chain}"
    ),
    "check.anchored_root": (
        "rootAt({size}) on chain is the checkpoint root, anchored by {tx} in block {block}"
    ),
    "check.anchored_root_unlisted": "rootAt({size}) on chain is the checkpoint root",
    "check.not_anchored": "size {size} is not anchored on chain",
    "check.anchored_root_differs": "rootAt({size}) is {onchain}, checkpoint root is {root}",
    "check.anchor_time_differs": "rootAt({size}) time {onchain}, anchor.block_time is {claimed}",
    "check.transaction_differs": (
        "transaction {tx} did not anchor size {size} in block {block} {block_hash}"
    ),
    "check.not_checked": "not checked: {reason}",
    "check.blocked": "{checks} failed",
    # Commitments, signatures and the chain's answers.
    "commitment.body": "body hashes to {computed}, entry.content is {content}",
    "commitment.salted_body": "salted body hashes to {computed}, entry.content is {content}",
    "commitment.attachment_order": "attachment {position} is out of sha256 order",
    "commitment.attachments": (
        "attachment list hashes to {computed}, entry.attachments is {attachments}"
    ),
    "commitment.document": (
        "document {name} (sha256 {sha256}, {size} bytes) is not an attachment of the record"
    ),
    "signature.other_signer": "signature recovers {signer}, want {operator}",
    "registry.never_registered": "never registered",
    "registry.not_revoked": "{name} registered at {registered}, not revoked",
    "registry.revoked": "{name} registered at {registered}, revoked at {revoked}",
    "chain.root_at": "root {root} at {time}",
    "chain.latest": "size {size} root {root}",
    "chain.anchor_transaction": (
        "block {block} {block_hash} anchored size {size} root {root} after size {previous}"
    ),
    "chain.says": "{url} says {answer}",
    "chain.disagree": "endpoints disagree on {call}: {answers}",
    "chain.endpoint_failed": "{url}: {reason}",
    "chain.too_few": "too few endpoints answered {call}: {failures}",
    "chain.wrong": "{url} serves chain {served}, want {want}",
    "chain.unreachable": "{url}: {method} failed: {reason}",
    "chain.error": "{url}: {method} error {error}",
    "ledger.http_error": "GET {url}: HTTP {status} {reason}",
    "ledger.unreachable": "GET {url}: {reason}",
    # The audit of a whole log.
    "audit.anchors_beyond": "{count} anchor(s) beyond size {size} are left for the next audit",
    "audit.offline_operators": (
        "offline: signatures were checked, not the operators' registry intervals"
    ),
    "audit.mirror_no_records": "the mirror holds no records (give a ledger to check bodies)",
    "audit.mirror_no_proofs": (
        "the mirror holds no consistency proofs (each anchor root is held against the tree "
        "rebuilt from the leaves instead)"
    ),
    "audit.entry": "entry {index}: {problem}",
    "audit.operator_unread": "operatorOf({operator}): {problem}",
    "audit.inactive_now": (
        "not anchored yet, so checked now: {operator} is not active ({registration})"
    ),
    "audit.inactive_at_anchor": (
        "{operator} was not active at the block time {time} of anchor {size}: {registration}"
    ),
    "audit.role_unread": "REGISTRAR_ROLE of {operator}: {problem}",
    "audit.not_registrar_now": (
        "not anchored yet, so checked now: {operator} does not hold REGISTRAR_ROLE (only the "
        "department files plans)"
    ),
    "audit.not_registrar_at_anchor": (
        "{operator} did not hold REGISTRAR_ROLE at the block time {time} of anchor {size} (only "
        "the department files plans)"
    ),
    "audit.inactive_nor_registrar_now": (
        "not anchored yet, so checked now: {operator} is not active ({registration}) and does "
        "not hold REGISTRAR_ROLE"
    ),
    "audit.inactive_nor_registrar_at_anchor": (
        "{operator} was not active at the block time {time} of anchor {size} ({registration}) "
        "and did not hold REGISTRAR_ROLE then"
    ),
    "audit.other_entry": "record {record_id} (entry {index}) serves another entry",
    "audit.record_not_served": "record {record_id} (entry {index}) is not served (HTTP 404)",
    "audit.record_problem": "record {record_id} (entry {index}): {problem}",
    "audit.tile_differs": "{tile}: {count} hash(es) differ, first at {first}",
    "audit.root_differs": "rebuilt root {rebuilt}, checkpoint root {root}",
    "audit.anchor_chain_differs": "anchor {size} is on chain {chain}, want {want}",
    "audit.anchor_root_differs": "anchor {size} root {root}, rebuilt {rebuilt}",
    "audit.consistency": "{old} to {new}: {problem}",
    "audit.root_at_failed": "rootAt({size}): {problem}",
    "audit.root_at_differs": (
        "rootAt({size}) is {onchain} at {onchain_time}, ledger lists {listed} at {listed_time}"
    ),
    # Watching a log.
    "alert.checkpoint": "the server's checkpoint is not the pinned log's: {problem}",
    "alert.rollback": "checkpoint size {size} after size {last}",
    "alert.fork": "size {size} has root {root}, earlier {earlier}",
    "alert.consistency": "size {old} to {new}: {problem}",
    "alert.anchor_ahead": (
        "the chain has anchored size {anchored}, the server shows size {size} and does not "
        "prove that it extends to the anchored tree: {problem}"
    ),
    "alert.anchor_consistency": (
        "the anchor of size {anchored} and the checkpoint of size {size} are not consistent: "
        "{problem}"
    ),
    "alert.anchor_deadline": (
        "checkpoint size {size} seen {age} s ago is not anchored (chain has size {anchored}; "
        "deadline {deadline} s)"
    ),
    "monitor.roots_differ": "size {size} has roots {old} and {new}",
    "monitor.no_proof": "the ledger gives no consistency proof ({problem})",
    # The command line's output.
    "out.label_passed": "PASS",
    "out.label_failed": "FAIL",
    "out.label_not_checked": "SKIP",
    "out.verified": "VERIFIED: record {record_id}",
    "out.verified_skipped": "VERIFIED: record {record_id} ({checks} not checked)",
    "out.not_verified": "NOT VERIFIED: failed {checks}",
    "out.not_found": (
        "NOT FOUND: record {record_id} is not in this ledger ({origin}): the pinned log "
        "answered HTTP 404"
    ),
    "out.not_found_unconfirmed": (
        "the ledger answered 404 ({answer}), and whether it serves the pinned log could not be "
        "read: {problem}"
    ),
    "out.other_log": (
        "{url} serves the log {origin} with key {key}, not the pinned log {pinned} with key "
        "{pinned_key}"
    ),
    "out.not_checkpointed": (
        "record {record_id} is in the ledger, but no signed checkpoint covers it yet: retry in "
        "a few seconds"
    ),
    "out.superseded": (
        "SUPERSEDED: record {record_id} was corrected by record {by} (the correction verifies)"
    ),
    "out.false_correction": (
        "FALSE CORRECTION: the ledger names record {by} as a correction of record {record_id}, "
        "but {reason}"
    ),
    "out.correction_not_checked": (
        "SUPERSEDED, NOT CHECKED: the ledger says record {record_id} was corrected by record "
        "{by}; the correction was not checked: {reason}"
    ),
    "out.corrections_unknown": (
        "note: whether record {record_id} was corrected is not known: {problem}"
    ),
    "out.correction_not_found": "the ledger does not hold it (HTTP 404)",
    "out.correction_not_checkpointed": "no signed checkpoint covers it yet",
    "out.correction_fails": "it does not verify: failed {checks}",
    "out.correction_ca_only": (
        "it is signed with a CA certificate only, and its CMS is checked by "
        "infraledger-verify record {by}"
    ),
    "out.correction_other_target": "its signed entry supersedes {target}, not this record",
    "out.correction_other_operator": (
        "it is signed by {operator}, not by the record's operator {owner}"
    ),
    "out.too_many": "more than {most} corrections are named: this one was not checked",
    "out.audit_passed": "{checked} checked",
    "out.audit_failed": "{failed} of {checked} failed: {messages}",
    "out.note": "note: {note}",
    "out.column_check": "check",
    "out.column_checked": "checked",
    "out.column_failed": "failed",
    "out.log_verified": "VERIFIED: log of size {size}",
    "out.log_not_verified": "NOT VERIFIED: log of size {size}: failed {checks}",
    "out.stage_entries": "entries",
    "out.stage_tiles": "tiles",
    "out.stage_anchors": "anchors",
    "out.alert": "ALERT",
    "out.seen": "seen size {size} root {root}",
    "out.seen_anchored": "seen size {size} root {root}; anchored on chain: size {anchored}",
    "out.seen_nothing": "no checkpoint of the pinned log seen",
    "out.poll_unavailable": "COULD NOT CHECK: {problem}",
    "out.pinned": "Trusted on first use: wrote {file} from {url}.",
    "out.pinned_origin": "  origin   {origin}",
    "out.pinned_key": "  log key  {key}",
    "out.pinned_earlier_key": "  earlier  {key} (signed the checkpoints below size {size})",
    "out.history_refused": "NOT pinned: the log's key rotations do not hold: {problem}",
    "out.pinned_chain": "  chain    {chain}, anchor {anchor}, registry {registry}",
    "out.pinned_warning": (
        "This server vouched for itself. Compare the log key with one published out of band\n"
        "(the authority's website or gazette, a colleague's trust file) before relying on it."
    ),
    "out.out_deprecated": "--out is deprecated: use --trust FILE",
    "out.rotation_followed": (
        "Key rotation followed: from size {size} the log key is {new}, in place of {old}; "
        "announced {time}, signed by the pinned key and by the new one."
    ),
    "out.trust_updated": "Updated {file}: it pins {count} keys of this log, the current one {key}.",
    "out.trust_up_to_date": "{file} is up to date: the log key is still {key}.",
    "out.rotation_refused": "NOT updated: {problem}",
    # Key rotation statements (GET /v1/log/rotations) that `trust update` refuses.
    "rotation.other_origin": (
        "rotation statement {number} is for the log {origin}, the pinned log is {pinned}"
    ),
    "rotation.unknown_key": (
        "rotation statement {number} replaces the key {key}, the pinned key is {pinned}"
    ),
    "rotation.not_signed": (
        "rotation statement {number} is not signed by the pinned key {key} it replaces: {problem}"
    ),
    "rotation.no_possession": (
        "rotation statement {number} is not signed by the key it installs, {key}: {problem}"
    ),
    "rotation.size_back": (
        "rotation statement {number} starts at size {size}, below the previous rotation's "
        "size {previous}"
    ),
    "rotation.key_unreached": (
        "the server's key changed without a rotation signed by the pinned key: it serves {key}, "
        "its rotation statements lead to {pinned}"
    ),
    "out.error_line": "{program}: error: {message}",
    "out.unavailable": "could not check: {problem}",
    "out.file": "{reason}: {file}",
    "out.os": "{reason}",
    "out.internal": "internal error {kind}: {detail} (please report)",
    # Usage errors (exit code 2).
    "usage.required": "the following arguments are required: {names}",
    "usage.unrecognized": "unrecognized arguments: {names}",
    "usage.invalid_choice": "argument {argument}: invalid choice: {value}",
    "usage.expected_one": "argument {argument}: expected one argument",
    "usage.expected_some": "argument {argument}: expected at least one argument",
    "usage.argument": "argument {argument}: {detail}",
    "usage.other": "{detail}",
    "usage.jobs": "want a number of processes from 1 to {most}",
    "usage.not_seconds": "{value} is not a number of seconds",
    "usage.seconds": "want a number of seconds in (0, {most}]",
    "usage.block": "--block: got {got}, want a number, latest, safe or finalized",
    "usage.record_id": "record id: got {got}, want 64 hex digits",
    "usage.salt_needs_body": "--salt needs --body",
    "usage.audit_source": "audit: give --ledger URL, --mirror DIR or both",
    "usage.no_trust_file": (
        "no trust file {file}: run `{program} trust init --ledger URL` or pass --trust FILE"
    ),
    "usage.trust_exists": "{file} exists; pass --force to replace the pinned trust",
    "usage.out_and_trust": "give --trust FILE or its deprecated alias --out FILE, not both",
    # Help.
    "help.usage_prefix": "usage: ",
    "help.arguments": "arguments",
    "help.options": "options",
    "help.commands": "commands",
    "help.help": "show this help and exit",
    "help.lang": (
        "language of the messages: vi (Vietnamese) or en (English); by default vi when the "
        "first of LC_ALL, LC_MESSAGES, LANG that is set starts with vi, else en"
    ),
    "help.program": (
        "Verify InfraLedger records, audit and watch its log, without trusting the ledger."
    ),
    "help.exit_codes": (
        "exit codes:\n"
        "  0  verified\n"
        "  1  a finding: a check failed, a record is not in this ledger, a correction does not\n"
        "     hold, or the monitor raised an alert\n"
        "  2  could not check: usage, a local file, or the ledger or the chain could not be read\n"
        "     (one line on stderr; with --json also a JSON result on stdout)"
    ),
    "help.trust_command": "manage the pinned trust file",
    "help.trust_description": (
        "The trust file pins one ledger: its log origin and key, its chain, its two contracts "
        "and the JSON-RPC endpoints to read the chain from."
    ),
    "help.init": "pin a ledger on first use (GET /v1/log)",
    "help.init_description": (
        "Write the trust file from the ledger's own GET /v1/log (trust on first use). Compare "
        "the log key with one published out of band before relying on it."
    ),
    "help.init_exit_codes": (
        "exit codes:\n"
        "  0  the trust file was written\n"
        "  1  a finding: the log's key rotation statements do not chain to its key (nothing\n"
        "     is written)\n"
        "  2  could not pin: usage, the file exists (without --force), or the ledger could not\n"
        "     be read or its answer is malformed"
    ),
    "help.bundle": "verify a proof bundle file",
    "help.bundle_description": (
        "Run the sixteen checks of verifier/FORMAT.md on a proof bundle: one line per check "
        "(PASS, FAIL, SKIP), then the verdict."
    ),
    "help.bundle_exit_codes": (
        "exit codes:\n"
        "  0  verified: no check failed (the checks that could not run are named)\n"
        "  1  a finding: the failed checks are named\n"
        "  2  could not check: usage, a local file, the trust file, or the chain could not be\n"
        "     read"
    ),
    "help.record": "fetch a record's proof bundle and verify it",
    "help.record_description": (
        "Fetch GET /v1/records/ID/proof from the ledger and verify it as `bundle` does. Then\n"
        "check each correction the ledger names for the record (superseded_by): it must verify,\n"
        "supersede this record and be signed by this record's operator. A genuine record that\n"
        "was corrected is VERIFIED and named SUPERSEDED, with the id of its correction."
    ),
    "help.record_exit_codes": (
        "exit codes:\n"
        "  0  verified (also when corrected by a correction that verifies: SUPERSEDED)\n"
        "  1  a finding: a check failed, the record is not in this ledger (the pinned log\n"
        "     answered HTTP 404), or a correction the ledger names does not hold\n"
        "  2  could not check: usage, a local file, the ledger or the chain could not be read,\n"
        "     or no signed checkpoint covers the record yet"
    ),
    "help.audit": "rebuild and check the whole log",
    "help.audit_description": (
        "Rebuild the tree from every entry bundle and check every entry, signature, public body,\n"
        "tile, the checkpoint and every anchor (on chain unless --offline)."
    ),
    "help.audit_exit_codes": (
        "exit codes:\n"
        "  0  verified: no audit check failed\n"
        "  1  a finding: the failed checks are named\n"
        "  2  could not check: usage, the trust file, the mirror, the ledger or the chain could\n"
        "     not be read"
    ),
    "help.monitor": "watch the log's checkpoints and anchors",
    "help.monitor_description": (
        "Poll the ledger's checkpoint and the chain's latest anchor; alert on a rollback, a fork,\n"
        "an inconsistent extension, an anchor the server neither shows nor proves, or a\n"
        "checkpoint not anchored in time. Each poll prints what the server showed."
    ),
    "help.monitor_exit_codes": (
        "exit codes (with --once):\n"
        "  0  no alert\n"
        "  1  an alert (checkpoint, rollback, fork, consistency, anchor_ahead,\n"
        "     anchor_consistency, anchor_deadline)\n"
        "  2  could not check: usage, the trust or state file, the ledger or the chain could not\n"
        "     be read\n"
        "without --once it runs until interrupted (exit code 0), reporting each poll it could\n"
        "not make"
    ),
    "help.ledger_init": "the ledger's base URL: its GET /v1/log is pinned",
    "help.ledger_update": "the ledger's base URL: its GET /v1/log/rotations is followed",
    "help.update": "follow the log's key rotations from the pinned key",
    "help.update_description": (
        "Fetch the ledger's key rotation statements (GET /v1/log/rotations), check that each "
        "is signed by the key pinned before it and by the key it installs, and pin the new key "
        "from the size the statement names; the earlier keys stay pinned for the checkpoints "
        "below it, so saved bundles keep verifying."
    ),
    "help.update_exit_codes": (
        "exit codes:\n"
        "  0  the trust file follows the log's current key (updated, or already up to date)\n"
        "  1  a finding: a statement is not signed by the pinned key or by its new key, or the\n"
        "     server's key is not reached by its statements; the trust file is left unchanged\n"
        "  2  could not check: usage, the trust file, or the ledger could not be read"
    ),
    "help.ledger_record": "the ledger's base URL, to fetch the record and its corrections from",
    "help.ledger_audit": "the ledger's base URL (with --mirror: fill the mirror from it)",
    "help.ledger_monitor": "the ledger's base URL",
    "help.trust": "the pinned trust file (default {default})",
    "help.trust_init": "the trust file to write (default {default})",
    "help.out": "deprecated alias of --trust",
    "help.force": "replace an existing trust file",
    "help.json": (
        "print one JSON object per result: language-neutral codes, messages in --lang"
    ),
    "help.bundle_file": "the proof bundle (infraledger-proof/1, verifier/FORMAT.md)",
    "help.record_id": "the record id: 64 hex digits (a 0x prefix and upper case are accepted)",
    "help.body": "the record's body (a JSON file), when the bundle withholds it",
    "help.salt": "the 0x salt of a restricted body (with --body)",
    "help.document": "files that must be attachments of the record (SHA-256 and size)",
    "help.rpc": "JSON-RPC endpoints to read the chain from, instead of the trust file's",
    "help.block": "the block to read the chain at: a number, latest (default), safe or finalized",
    "help.offline": "do not read the chain (operator_active and anchored_root are not checked)",
    "help.mirror": "read tiles from this tlog-tiles directory; with --ledger, save missing ones",
    "help.jobs": "processes that check entry signatures (default 1)",
    "help.interval": "seconds between polls (default 10)",
    "help.anchor_deadline": (
        "alert when a checkpoint is still not anchored this many seconds after it was first "
        "seen (default 60)"
    ),
    "help.once": "poll once and exit (0 no alert, 1 an alert)",
    "help.state": "keep what was seen in this JSON file, across runs",
    # Errors: `error.detail` shows a parser's English diagnostic; `error.<class>` names its kind.
    "error.detail": "{detail}",
    "error.VerificationError": "verification error",
    "error.MalformedInput": "malformed input",
    "error.MalformedJSON": "malformed JSON",
    "error.MalformedHex": "malformed hex",
    "error.MalformedBase64": "malformed base64",
    "error.MalformedHash": "malformed hash",
    "error.NotCanonicalizable": "value without an RFC 8785 form",
    "error.MalformedVerifierKey": "malformed verifier key",
    "error.MalformedNote": "malformed signed note",
    "error.MalformedCheckpoint": "malformed checkpoint",
    "error.MalformedTlogProof": "malformed tlog-proof",
    "error.MalformedAddress": "malformed address",
    "error.MalformedEntry": "malformed entry",
    "error.MalformedBundle": "malformed proof bundle",
    "error.MalformedTrust": "malformed trust file",
    "error.MalformedMonitorState": "malformed monitor state",
    "error.MalformedLedgerResponse": "malformed ledger answer",
    "error.MalformedChainResponse": "malformed chain answer",
    "error.ProofError": "the proof does not prove",
    "error.IndexOutOfRange": "leaf index out of range",
    "error.WrongProofLength": "wrong proof length",
    "error.InvalidTreeSizes": "invalid tree sizes",
    "error.RootMismatch": "the roots differ",
    "error.SignatureError": "invalid signature",
    "error.NoteSignatureError": "invalid checkpoint signature",
    "error.SubmissionSignatureError": "invalid submission signature",
    "error.CommitmentMismatch": "a commitment does not match",
    "error.RecordIdMismatch": "the record id does not match",
    "error.TrustMismatch": "not what the trust file pins",
    "error.AnchorMismatch": "the anchor does not match",
    "error.OperatorInactive": "the operator was not active",
    "error.ChainDisagreement": "the chain endpoints disagree",
    "error.WrongChain": "another chain",
    "error.Unavailable": "unavailable",
    "error.LedgerUnavailable": "the ledger could not be read",
    "error.LedgerNotFound": "the ledger holds no such thing",
    "error.NotCheckpointed": "not covered by a checkpoint yet",
    "error.ChainUnavailable": "the chain could not be read",
    # The open-data export (verifier/open_data.py, `export`).
    "export.not_listed": "the catalogue lists no verified distribution of this file",
    "export.other_checkpoint": "datapackage.json names another checkpoint than catalog.jsonld",
    "export.checkpoint_differs": (
        "the catalogue states size {size} and root {root}, its signed note size {note_size} "
        "and root {note_root}"
    ),
    "export.not_anchored": "the chain's rootAt({size}) is {root}, not the export's root",
    "export.file_differs": (
        "{size} bytes with SHA-256 {sha256}, the catalogue says {want_size} bytes with "
        "{want_sha256}"
    ),
    "export.resource_differs": (
        "{size} bytes with {sha256}: not the bytes and hash of datapackage.json"
    ),
    "export.not_csv": "not UTF-8 CSV: {detail}",
    "export.header": "the header is not the schema's columns {want}",
    "export.width": "the row does not have the schema's {want} columns",
    "export.false_correction": (
        "superseded_by names {by}, which is no row of this file that supersedes this "
        "record"
    ),
    "export.file_other_checkpoint": "the file names another checkpoint than catalog.jsonld",
    "export.feature_differs": "feature {position} (record {record_id}): {problem}",
    "export.geometry_differs": "the geometry is not the record's position or line",
    "export.cell_differs": "column {column} is {got}, the record holds {want}",
    "export.bad_record_id": "record {got} is not a record id",
    "export.not_in_log": "the ledger holds no record {record_id}",
    "export.bundle_fails": "the record's proof bundle does not verify: {checks}",
    "export.signer_unchecked": "the record is signed with a CA certificate only and its CMS "
                               "could not be checked ({codes}): who declared it is not proven",
    "export.after_checkpoint": "the record's index {index} is not below the export's size {size}",
    "export.body_withheld": (
        "the ledger withholds this record's body: a restricted record in the "
        "export"
    ),
    "export.inconsistent": (
        "the record's checkpoint of size {size} is not consistent with the export's of size "
        "{export_size}: {problem}"
    ),
    "export.log_differs": (
        "the ledger's entry bundles up to size {size} make the root {rebuilt}, not the "
        "checkpoint's {root}"
    ),
    "export.not_described": "datapackage.json describes no resource of this distribution",
    "export.missing": (
        "the log's public {schema} record {record_id} (index {index}) is not in this file"
    ),
    "export.not_in_dataset": (
        "record {record_id} is not one of the log's {schema} records below size {size}"
    ),
    "export.count_differs": (
        "dataset {dataset}: {member} is {stated}, the log holds {counted}"
    ),
    "help.export": "verify an open-data export (catalogue, files, every row, every record)",
    "help.export_description": (
        "Verify an open-data export, a directory written by `infraledger export` or a ledger's "
        "URL (its /v1/export/): the checkpoint its catalogue names is signed by the pinned log "
        "key (and anchored, online), every file has the catalogue's size and SHA-256, every "
        "CSV row equals its record, whose proof bundle verifies, and every file holds each "
        "public record of its dataset in the log up to the checkpoint, and no other (the "
        "catalogue's counts too)."
    ),
    "help.export_exit_codes": (
        "exit codes:\n"
        "  0  verified: the checkpoint, every file, every row and every record\n"
        "  1  a finding: a check failed (the file, line and column are named)\n"
        "  2  could not check: usage, a local file, the ledger or the chain could not be read"
    ),
    "help.export_source": "the export's directory, or the ledger's URL",
    "help.ledger_export": (
        "the ledger's base URL, for the proof bundles (default: the URL of the export)"
    ),
    "usage.export_ledger": "export: give --ledger URL to fetch the proof bundles of a directory",
    "out.export_verified": (
        "VERIFIED: export at checkpoint size {size} of {origin}: {files} file(s), {rows} row(s)"
    ),
    "out.export_not_verified": "NOT VERIFIED: {count} finding(s) in the export",
    "out.export_finding": "{file}: {message}",
    "out.export_row_finding": "{file} line {line} (record {record_id}): {message}",
    "out.export_more": "and {count} more finding(s)",
    # CA signatures (verifier.signatures), checked offline from the stored evidence.
    "sig.der": "malformed DER: {detail}",
    "sig.refused": "{status} ({detail})",
    "sig.missing": "a file needed to check is missing: {detail}",
    "sig.status_valid": "The digital signature is valid",
    "sig.status_cms_invalid": "The CMS/CAdES signature is malformed",
    "sig.status_signature_invalid": (
        "The signature does not match the data: the data was changed or the signature is wrong"
    ),
    "sig.status_pdf_invalid": (
        "The PDF cannot be read, has no signature, or a signature of an unsupported form"
    ),
    "sig.status_pdf_modified": (
        "The PDF was changed after signing, or the signature does not cover the whole file"
    ),
    "sig.status_weak_key": (
        "The certificate's key is too weak (want RSA >= 2048 or ECDSA >= 256 bits)"
    ),
    "sig.status_weak_algorithm": "A digest or signature algorithm is not accepted",
    "sig.status_cert_untrusted": "The certificate does not chain to a pinned root",
    "sig.status_cert_expired": "The certificate had expired at the signing time",
    "sig.status_cert_not_yet_valid": "The certificate was not yet valid at the signing time",
    "sig.status_cert_revoked": "The certificate was revoked before the signing time",
    "sig.status_revocation_unavailable": "No usable certificate status (OCSP or CRL)",
    "sig.status_cert_key_usage": "The certificate lacks the nonRepudiation key usage",
    "sig.status_cert_identity": (
        "The certificate does not belong to the filing operator (tax code or fingerprint mismatch)"
    ),
    "sig.status_timestamp_invalid": (
        "The time-stamp is invalid or not from a trusted time-stamping authority"
    ),
    "sig.status_signing_time_invalid": (
        "The signing time is invalid (after acceptance or after the time-stamp)"
    ),
    "sig.status_evidence_invalid": (
        "The stored validation evidence is not intact or contradicts the record"
    ),
    "sig.status_evidence_missing": "Could not check: a file of the evidence is missing",
    "sig.status_no_signing_roots": "Could not check: the trust file pins no signing roots",
    "sig.status_detail": "{status}: {detail}",
    "sig.report": (
        "{format} signature by {subject} (organisation {organisation}, tax code {tax_code}), "
        "issued by {issuer}, serial {serial}, signed at {time} ({source}): {status}"
    ),
    "sig.report_unread": "{format} signature (evidence document {evidence}): {status}",
    "sig.report_untimed": (
        "{format} signature by {subject} (organisation {organisation}, tax code {tax_code}), "
        "issued by {issuer}, serial {serial}: {status}"
    ),
    "sig.source_timestamp": "from the time-stamp",
    "sig.source_acceptance": "time of acceptance",
    "check.no_ca_signatures": (
        "the record carries no organisation-certificate signature (EIP-712 only)"
    ),
    "check.ca_signatures_not_asked": "CA signatures were not asked for",
    "check.ca_signatures_refused": "{count} CA signature(s), refused: {codes}",
    "check.ca_signatures_unchecked": "{count} CA signature(s), could not check: {codes}",
    "check.ca_signatures": (
        "{count} CA signature(s) valid, checked offline from the stored evidence"
    ),
    "help.signing_roots": (
        "a PEM bundle of the roots CA signatures must chain to (e.g. the NEAC roots); stored in "
        "the trust file"
    ),
    "help.evidence": (
        "files (or directories) to check CA signatures from: evidence documents, the CMS, OCSP "
        "responses, CRLs, certificates, time-stamps, signed PDFs; each is taken by its SHA-256 "
        "(record: fetched from the ledger when not given)"
    ),
    "help.binding": (
        "proof bundles of the operator's binding/1 records (the latest before the record in the"
        " log is used; record: fetched from the ledger when not given)"
    ),
    "fetch.not_served": (
        "the ledger does not serve the file {sha256} to the public ({reason}): a restricted "
        "record's evidence is for inspectors; give the files with --evidence"
    ),
    "fetch.unavailable": "the file {sha256} could not be fetched from the ledger: {reason}",
    "fetch.changed": "the ledger served, as the file {sha256}, bytes that hash to {got}",
    "help.at": (
        "the verifier's clock: YYYY-MM-DD or an ISO 8601 time (Vietnam time when no zone is "
        "given); default: now"
    ),
    "usage.binding_fails": "the binding bundle {file} does not verify (failed: {checks})",
    "usage.at": "--at: {got} is not a YYYY-MM-DD date or an ISO 8601 time",
    "out.pinned_roots": "pinned {count} root(s) for CA signatures from {file}",
    "out.signatures_not_checked": (
        "COULD NOT CHECK: the CA signatures of record {record_id} (a file is missing, see "
        "ca_signatures)"
    ),
    "out.signature": "CA signature: {report}",
    "signature.ca_only": (
        "no EIP-712 signature: signed with a CA certificate only (see ca_signatures)"
    ),
    "check.ca_only_no_evidence": (
        "signed with a CA certificate only, but the record lists no CMS evidence document: "
        "nothing signs its fields"
    ),
    "check.ca_only_not_asked": (
        "CA signatures were not asked for, and the record is signed with a CA certificate only: "
        "its signer is proven by its CMS or not at all"
    ),
    "check.ca_only_pades": (
        "signed with a CA certificate only, but its {count} CA signature(s) are PAdES, which sign "
        "a PDF, not the record's fields: a CMS over them is required"
    ),
    "check.ca_only_signatures": (
        "signed with a CA certificate only: {count} CA signature(s) valid, checked offline from "
        "the stored evidence; a CMS signs the record's fields for {operator}"
    ),
    "audit.ca_only": (
        "entries signed with a CA certificate only: {count}, not counted in signatures (the "
        "audit checks EIP-712 signatures, not CMS: infraledger-verify record <id> checks each "
        "one's CMS)"
    ),
    "out.ca_only_not_checked": (
        "COULD NOT CHECK: record {record_id} is signed with a CA certificate only and its CMS "
        "could not be checked (see ca_signatures)"
    ),
}
