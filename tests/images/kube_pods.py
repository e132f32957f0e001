#!/usr/bin/env python3
"""Turns a rendered overlay (k8s/render) into what podman kube play runs, for tests/images/run.sh.

podman 4.3 plays Pods, Deployments, PersistentVolumeClaims and ConfigMaps, with emptyDir, hostPath,
persistentVolumeClaim and configMap volumes. What the overlay has beyond that is translated, and
each translation is printed on stderr:
- a StatefulSet becomes a Deployment of its pod template, and each volumeClaimTemplate a
  PersistentVolumeClaim named as Kubernetes names the first replica's (<claim>-<set>-0);
- a Secret becomes a ConfigMap of the same data (decoded), mounted where the Secret was, and
  an env secretKeyRef a configMapKeyRef;
- the container's listen ports move to free loopback ports given on the command line (the pods
  share the host's network here, which takes no port mappings): the env says them, the probes
  name them by number, and the containerPorts are dropped.
Everything else of the pod spec is kept as rendered: the security contexts, probes, mounts and
resources are what the test checks. The images ghcr.io/firedrill/<name> become the local ones.

Usage: kube_pods.py RENDERED.yaml IMAGE_PREFIX WORKLOAD=PORTNAME:PORT... > play.yaml
  e.g. kube_pods.py dev.yaml localhost/firedrill portal=http:41001 portal=ops:41002
"""
import base64
import re
import sys

import yaml


def note(text):
    print(f"kube_pods: {text}", file=sys.stderr)


def main():
    rendered, prefix, *port_args = sys.argv[1:]
    ports = {}
    for arg in port_args:
        workload, _, rest = arg.partition("=")
        name, _, port = rest.partition(":")
        ports.setdefault(workload, {})[name] = int(port)
    docs = [d for d in yaml.safe_load_all(open(rendered)) if d]
    secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    config_maps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    out, used_secrets, used_config_maps = [], set(), set()

    for d in docs:
        name = d["metadata"]["name"]
        if name not in ports or d["kind"] not in ("Deployment", "StatefulSet"):
            continue
        spec = d["spec"]
        template = spec["template"]
        pod = template["spec"]
        if d["kind"] == "StatefulSet":
            for claim in spec.get("volumeClaimTemplates", []):
                claim_name = f"{claim['metadata']['name']}-{name}-0"
                out.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                            "metadata": {"name": claim_name}, "spec": claim["spec"]})
                pod.setdefault("volumes", []).append(
                    {"name": claim["metadata"]["name"],
                     "persistentVolumeClaim": {"claimName": claim_name}})
            note(f"StatefulSet {name}: played as a Deployment, its claims as PersistentVolumeClaims")
        for volume in pod.get("volumes", []):
            if "configMap" in volume:
                used_config_maps.add(volume["configMap"]["name"])
            if "secret" in volume:
                secret = volume.pop("secret")
                used_secrets.add(secret["secretName"])
                volume["configMap"] = {"name": secret["secretName"]}
                if "defaultMode" in secret:
                    volume["configMap"]["defaultMode"] = secret["defaultMode"]
                note(f"{name}: Secret volume {secret['secretName']} played as a ConfigMap volume")
        for container in pod["containers"]:
            image = container["image"]
            m = re.fullmatch(r"ghcr\.io/firedrill/([a-z-]+):(.+)", image)
            if m:
                container["image"] = f"{prefix}/{m.group(1)}:{m.group(2)}"
            by_number = {}
            for p in container.get("ports", []):
                if p.get("name") in ports[name]:
                    by_number[p["containerPort"]] = ports[name][p["name"]]
                    p["containerPort"] = ports[name][p["name"]]
            named = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                get = container.get(probe, {}).get("httpGet")
                if get and isinstance(get.get("port"), str):
                    get["port"] = named[get["port"]]
            container.pop("ports", None)
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).pop("secretKeyRef", None)
                if ref:
                    used_secrets.add(ref["name"])
                    env["valueFrom"]["configMapKeyRef"] = ref
                value = env.get("value")
                if isinstance(value, str):
                    m = re.fullmatch(r"0\.0\.0\.0:(\d+)", value)
                    if m and int(m.group(1)) in by_number:
                        env["value"] = f"127.0.0.1:{by_number[int(m.group(1))]}"
        out.append({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": name, "labels": d["metadata"].get("labels", {})},
                    "spec": {"replicas": 1, "selector": spec["selector"], "template": template}})

    for name in sorted(used_config_maps):
        config_map = config_maps[name]
        out.insert(0, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                       "data": config_map.get("data", {})})
    for secret_name in sorted(used_secrets):
        secret = secrets[secret_name]
        data = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
        data.update(secret.get("stringData", {}))
        out.insert(0, {"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": secret_name}, "data": data})
    missing = set(ports) - {d["metadata"]["name"] for d in out if d["kind"] == "Deployment"}
    if missing:
        sys.exit(f"kube_pods: no Deployment or StatefulSet named {', '.join(sorted(missing))}")
    yaml.safe_dump_all(out, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main()
