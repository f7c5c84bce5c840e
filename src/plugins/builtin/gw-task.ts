/**
 * The helper a shell script calls to read its task: `gw-task config.ipaddress`,
 * `gw-task nodes.node1.ipaddress`, `gw-task --node-with db` (that node's address). Strings print bare,
 * other values as JSON; a missing key exits 1. python3 reads the JSON (jq is not assumed).
 */
export const GW_TASK_SCRIPT = `#!/bin/sh
# gw-task KEY.PATH: print a key of this task's JSON ($GW_TASK), shipped by Groundwork's shell automator.
exec python3 -c '
import json, os, sys
value = json.load(open(os.environ["GW_TASK"]))
path = sys.argv[1] if len(sys.argv) > 1 else ""
if path == "--node-with":
    # gw-task --node-with SERVICE: the address of the first node (by id) running SERVICE, from task.nodes
    hits = [n for _, n in sorted((value.get("nodes") or {}).items()) if sys.argv[2] in n.get("services", [])]
    if not hits:
        sys.exit("gw-task: no node runs " + sys.argv[2] + " (task.nodes is there only for services with needsNodes)")
    print(hits[0]["ipaddress"])
    sys.exit(0)
for part in [p for p in path.split(".") if p]:
    if isinstance(value, list) and part.isdigit() and int(part) < len(value):
        value = value[int(part)]
    elif isinstance(value, dict) and part in value:
        value = value[part]
    else:
        sys.exit("gw-task: the task has no key " + path)
print(value if isinstance(value, str) else json.dumps(value))
' "$@"
`;
