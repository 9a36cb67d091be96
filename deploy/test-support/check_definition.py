"""Reads a definition file of deploy/monitoring into the Google Cloud CLI's own API message class
(the one gcloud sends), and names every field the API does not have and every unknown enum value.

Usage: python3 check_definition.py SDK_ROOT KIND FILE, KIND one of metric, policy, dashboard, indexes,
build (a Cloud Build config in YAML), lifecycle (a bucket's lifecycle, read as the Bucket's "lifecycle").
For indexes (deploy/firestore.indexes.json, the Firebase CLI's format) each entry of "indexes" is read
as the Firestore Admin API's Index, its collectionGroup being the part of the index's name it names.
Prints "ok" and exits 0, or prints one line per problem and exits 1. Run it with gcloud's python.
"""
import json
import sys

sdk_root, kind, path = sys.argv[1:4]
sys.path[:0] = [f'{sdk_root}/lib', f'{sdk_root}/lib/third_party']

from apitools.base.protorpclite import messages as protorpc  # noqa: E402
from apitools.base.py import encoding  # noqa: E402
from googlecloudsdk.api_lib.util import apis  # noqa: E402

API, VERSION, CLASS = {
    'metric': ('logging', 'v2', 'LogMetric'),
    'policy': ('monitoring', 'v3', 'AlertPolicy'),
    'dashboard': ('monitoring', 'v1', 'Dashboard'),
    'indexes': ('firestore', 'v1', 'GoogleFirestoreAdminV1Index'),
    'build': ('cloudbuild', 'v1', 'Build'),
    'lifecycle': ('storage', 'v1', 'Bucket'),
}[kind]
message_class = getattr(apis.GetMessagesModule(API, VERSION), CLASS)

with open(path, encoding='utf-8') as handle:
    text = handle.read()

problems = []
if kind == 'indexes':
    document = json.loads(text)
    problems += [f'{name}: not a key of the Firebase CLI index file' for name in document if name not in ('indexes', 'fieldOverrides')]
    messages = []
    for index, entry in enumerate(document.get('indexes', [])):
        if 'collectionGroup' not in entry:
            problems.append(f'indexes[{index}]: no collectionGroup')
        rest = {key: value for key, value in entry.items() if key != 'collectionGroup'}
        messages.append((f'indexes[{index}]', encoding.JsonToMessage(message_class, json.dumps(rest))))
elif kind == 'build':
    from googlecloudsdk.core import yaml  # noqa: E402
    messages = [(CLASS, encoding.JsonToMessage(message_class, json.dumps(yaml.load(text))))]
elif kind == 'lifecycle':
    messages = [(CLASS, encoding.JsonToMessage(message_class, json.dumps({'lifecycle': json.loads(text)})))]
else:
    messages = [(CLASS, encoding.JsonToMessage(message_class, text))]


def walk(value, where):
    if not isinstance(value, protorpc.Message):
        return
    # A field name the API lacks, or an enum value it does not know, is kept aside as unrecognized.
    for name in value.all_unrecognized_fields():
        problems.append(f'{where}.{name}: not a field of {type(value).__name__}, or not one of its values')
    for field in value.all_fields():
        items = getattr(value, field.name)
        for index, item in enumerate(items if field.repeated else [items]):
            walk(item, f'{where}.{field.name}' + (f'[{index}]' if field.repeated else ''))


for where, message in messages:
    walk(message, where)
print('\n'.join(problems) if problems else 'ok')
sys.exit(1 if problems else 0)
