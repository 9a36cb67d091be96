"""Reads a definition file of deploy/monitoring into the Google Cloud CLI's own API message class
(the one gcloud sends), and names every field the API does not have and every unknown enum value.

Usage: python3 check_definition.py SDK_ROOT KIND FILE, KIND one of metric, policy, dashboard.
Prints "ok" and exits 0, or prints one line per problem and exits 1. Run it with gcloud's python.
"""
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
}[kind]

with open(path, encoding='utf-8') as handle:
    message = encoding.JsonToMessage(getattr(apis.GetMessagesModule(API, VERSION), CLASS), handle.read())

problems = []


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


walk(message, CLASS)
print('\n'.join(problems) if problems else 'ok')
sys.exit(1 if problems else 0)
