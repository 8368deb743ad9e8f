#!/usr/bin/env python3
"""Validates the YAML that `sinfrac build` emits, for the test suite (tests/tests/build.rs).

    validate.py [--k8s-version X.Y] [--crds DIR] PATH...

Every `*.yaml` file under each PATH is read with PyYAML's SafeLoader (a YAML 1.1 reader, like
Kubernetes' go-yaml v2 lineage), rejecting duplicate and non-string mapping keys. Every
document then needs `apiVersion`, `kind` and `metadata.name`, and is validated:

- built-in kinds against kubernetes-validate's *strict* JSON schemas (unknown fields are errors);
- Argo CD `Application` and Argo Rollouts `Rollout` against the `openAPIV3Schema` of the CRDs in
  `--crds` (default: tests/data/crds), made strict the way the API server's field validation is
  (an object schema with `properties` rejects other keys unless it has
  `x-kubernetes-preserve-unknown-fields`); their `metadata` against Kubernetes' ObjectMeta and a
  Rollout's `spec.template` against Kubernetes' PodTemplateSpec (the CRD leaves parts open).

The same (API group, kind, namespace, name) twice in one stack (first directory under PATH)
is an error too.

Exit codes: 0 valid, 1 problems (one line each on stdout), 2 usage error,
3 a Python package is missing (the message says how to install it).
"""

import argparse
import copy
import os
import sys

PIP = "python3 -m pip install kubernetes-validate jsonschema pyyaml"

try:
    import jsonschema
    import kubernetes_validate
    import yaml
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"validate.py: missing Python package ({e}); install them with:\n    {PIP}", file=sys.stderr)
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CRDS = os.path.join(HERE, "..", "data", "crds")
DEFAULT_K8S_VERSION = "1.33"


class StrictLoader(yaml.SafeLoader):
    """SafeLoader (YAML 1.1) that rejects duplicate keys and keys that are not strings."""


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"mapping key {key!r} is a {type(key).__name__}, not a string", key_node.start_mark
            )
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=deep)
    return out


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def strict_schema(schema):
    """An OpenAPI v3 (structural) CRD schema as a strict JSON schema."""
    if isinstance(schema, list):
        return [strict_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    s = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "definitions"):
            s[key] = {k: strict_schema(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            s[key] = strict_schema(value)
        else:
            s[key] = value
    if s.get("nullable") is True and isinstance(s.get("type"), str):
        s["type"] = [s["type"], "null"]
    if s.get("x-kubernetes-int-or-string") is True and "type" not in s and "anyOf" not in s:
        s["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if "properties" in s and "additionalProperties" not in s and not s.get("x-kubernetes-preserve-unknown-fields"):
        s["additionalProperties"] = False
    return s


def load_crds(directory):
    """(apiVersion, kind) -> strict validator of the CRD's served version."""
    validators = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            # Trusted data: read it with libyaml when available (much faster).
            crd = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        group = crd["spec"]["group"]
        kind = crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schema = strict_schema(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
                validators[(f"{group}/{version['name']}", kind)] = jsonschema.Draft4Validator(schema)
    if not validators:
        raise SystemExit(f"validate.py: no CustomResourceDefinition in {directory}")
    return validators


def dotted(path):
    return ".".join(str(p) for p in path) or "(document)"


class Validator:
    def __init__(self, k8s_version, crds):
        self.k8s_version = k8s_version
        self.crds = crds
        self.problems = []
        self.documents = 0
        self.files = 0
        self.seen = {}

    def problem(self, where, message):
        line = f"{where}: {message}"
        if line not in self.problems:
            self.problems.append(line)

    def core(self, doc, where, prefix=""):
        """Validates a built-in kind strictly; `prefix` names the enclosing field for wrapped parts."""
        try:
            kubernetes_validate.validate(doc, self.k8s_version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            self.problem(where, f"unknown kind {doc.get('apiVersion')} {doc.get('kind')} (no schema, no CRD)")
        except kubernetes_validate.ValidationError as e:
            path = list(e.absolute_path)
            if prefix:
                path = [prefix] + path[1:]
            self.problem(where, f"{dotted(path)}: {e.message}")

    def document(self, doc, where, stack):
        self.documents += 1
        if not isinstance(doc, dict):
            self.problem(where, f"a document must be a mapping, not {type(doc).__name__}")
            return
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        meta = doc.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(api_version, str) or not isinstance(kind, str) or not isinstance(name, str):
            self.problem(where, "apiVersion, kind and metadata.name are required strings")
            return
        where = f"{where}: {kind}/{name}"
        crd = self.crds.get((api_version, kind))
        if crd is None:
            self.core(doc, where)
        else:
            for e in sorted(crd.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
                self.problem(where, f"{dotted(e.absolute_path)}: {e.message}")
            # ObjectMeta, strictly, through a kind that is nothing else.
            self.core({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}, where)
            template = (doc.get("spec") or {}).get("template")
            if kind == "Rollout" and isinstance(template, dict):
                wrapped = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": name}, "template": template}
                self.core(wrapped, where, prefix="spec.template")
        group = api_version.rpartition("/")[0]
        key = (stack, group, kind, meta.get("namespace", ""), name)
        if key in self.seen:
            self.problem(where, f"duplicate object in stack `{stack}` (also in {self.seen[key]})")
        else:
            self.seen[key] = where

    def file(self, path, stack):
        self.files += 1
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            self.problem(path, f"cannot read: {e}")
            return
        # Document by document, so that a YAML error in one does not hide the others.
        loader = StrictLoader(text)
        index = 0
        try:
            while loader.check_node():
                index += 1
                node = loader.get_node()
                try:
                    doc = loader.construct_document(node)
                except yaml.YAMLError as e:
                    loader.constructed_objects, loader.recursive_objects = {}, {}
                    self.problem(f"{path}:{index}", f"YAML: {e}")
                    continue
                self.document(doc, f"{path}:{index}", stack)
        except yaml.YAMLError as e:
            self.problem(f"{path}:{index}", f"YAML: {e}")
        finally:
            loader.dispose()
        if index == 0:
            self.problem(path, "no YAML document")

    def tree(self, root):
        if os.path.isfile(root):
            self.file(root, os.path.dirname(root))
            return
        found = False
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                    found = True
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    stack = rel.split(os.sep)[0] if os.sep in rel else "."
                    self.file(os.path.join(dirpath, name), stack)
        if not found:
            self.problem(root, "no *.yaml file")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", metavar="PATH")
    parser.add_argument("--k8s-version", default=DEFAULT_K8S_VERSION)
    parser.add_argument("--crds", default=DEFAULT_CRDS)
    args = parser.parse_args()
    if not args.paths:
        parser.error("give at least one PATH")
    for p in args.paths:
        if not os.path.exists(p):
            parser.error(f"no such file or directory: {p}")
    v = Validator(args.k8s_version, load_crds(args.crds))
    for p in args.paths:
        v.tree(p)
    for p in v.problems:
        print(p)
    print(f"validated {v.documents} documents in {v.files} files (Kubernetes {args.k8s_version}): "
          f"{len(v.problems)} problems")
    return 1 if v.problems else 0


if __name__ == "__main__":
    sys.exit(main())
