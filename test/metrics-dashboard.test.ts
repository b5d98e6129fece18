import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { MetricsServer } from '../src/metrics/MetricsServer.js';
import { PipelineMetrics } from '../src/metrics/PipelineMetrics.js';
import { configDir } from '../src/paths.js';

async function exportedNames(m: PipelineMetrics): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
    if (String(metric.type) === 'summary') for (const s of ['_sum', '_count']) names.add(metric.name + s);
  }
  return names;
}

const METRIC = /\b(?:platewatch|process|nodejs)_[a-z0-9_]+\b/g;

function dashboardExprs(): string[] {
  const dash = JSON.parse(readFileSync(path.join(configDir, 'grafana', 'platewatch.json'), 'utf8'));
  return dash.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
}

function alertExprs(): string[] {
  const doc = parseYaml(readFileSync(path.join(configDir, 'prometheus', 'alerts.yml'), 'utf8'));
  return doc.groups.flatMap((g: { rules: { expr: string }[] }) => g.rules.map((r) => r.expr));
}

describe('Grafana dashboard and Prometheus alerts', () => {
  it('every dashboard and alert query names metrics platewatch really exports', async () => {
    const names = await exportedNames(new PipelineMetrics());
    const exprs = [...dashboardExprs(), ...alertExprs()];
    expect(exprs.length).toBeGreaterThan(15);
    for (const expr of exprs) {
      const used = expr.match(METRIC) ?? [];
      expect(used.length, expr).toBeGreaterThan(0);
      for (const name of used) expect(names.has(name), `${name} in: ${expr}`).toBe(true);
    }
  });

  it('the dashboard is importable JSON: unique panel ids, a Prometheus datasource variable', () => {
    const dash = JSON.parse(readFileSync(path.join(configDir, 'grafana', 'platewatch.json'), 'utf8'));
    const ids = dash.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dash.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(dash.uid).toBe('platewatch-main');
  });

  it('the Prometheus scrape config scrapes /metrics on the default metrics port', () => {
    const prom = parseYaml(readFileSync(path.join(configDir, 'prometheus', 'prometheus.yml'), 'utf8'));
    const defaults = parseYaml(readFileSync(path.join(configDir, 'default.yaml'), 'utf8'));
    const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === 'platewatch');
    expect(job.metrics_path).toBe('/metrics');
    expect(job.static_configs[0].targets[0]).toBe(`127.0.0.1:${defaults.metrics.port}`);
  });

  it('/metrics serves the text format over real HTTP; names carry units; no label could hold a plate', async () => {
    const m = new PipelineMetrics();
    m.hits.inc({ category: 'stolen_vehicle', rule: 'exact', state: 'same' });
    const server = new MetricsServer(m);
    const url = await server.listen(0);
    try {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('platewatch_hits_total{category="stolen_vehicle",rule="exact",state="same"} 1');
      expect(text).toContain('process_cpu_seconds_total');
      expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
      await server.close();
    }
    for (const metric of await m.registry.getMetricsAsJSON()) {
      if (!metric.name.startsWith('platewatch_')) continue;
      expect(metric.name).toMatch(/_(total|seconds|messages|entries|stale|connected|playing)$/);
      for (const v of metric.values as { labels: Record<string, unknown> }[]) {
        expect(Object.keys(v.labels)).not.toContain('plate');
      }
    }
  });
});
