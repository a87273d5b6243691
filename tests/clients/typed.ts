// Compiled with `tsc --noEmit` by tests/clients.rs after graphql-codegen ran:
// it uses the generated types as a front end would, and states each custom
// scalar's type exactly, so a wrong or missing mapping in codegen.yml (or a
// scalar typed `unknown`/`any`) fails compilation.
import type { Geometry } from "geojson";
import type {
  CarrierAsNodeQuery,
  CarrierScalarsQuery,
  CarrierScalarsQueryVariables,
  CheckTenanciesMutationVariables,
  PageQuery,
  Scalars,
} from "./generated/graphql";

type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function exactly<A, B>(proof: Equals<A, B>): void {
  void proof;
}
type JsonValue = string | number | boolean | null | { [key: string]: unknown } | unknown[];

exactly<Scalars["Date"]["output"], string>(true);
exactly<Scalars["DateTime"]["output"], string>(true);
exactly<Scalars["GeoJSON"]["output"], Geometry>(true);
exactly<Scalars["GeoJSON"]["input"], Geometry>(true);
exactly<Scalars["JSON"]["output"], JsonValue>(true);
exactly<Scalars["Upload"]["input"], File | Blob>(true);

export function describe(data: CarrierScalarsQuery): string[] {
  const lines: string[] = [];
  for (const carrier of data.carriers.nodes) {
    const created: Date = new Date(carrier.createdAt);
    const delivered: string[] = carrier.phases.map((phase) => phase.deliveredOn.slice(0, 4));
    const shape: Geometry["type"] | "none" = carrier.footprint ? carrier.footprint.type : "none";
    lines.push(`${carrier.name} ${created.getFullYear()} ${delivered.join(",")} ${shape} ${carrier.floorArea.toFixed(2)}`);
  }
  for (const event of data.auditEvents.nodes) {
    const after: JsonValue | undefined = event.after;
    const keys = after && typeof after === "object" && !Array.isArray(after) ? Object.keys(after) : [];
    lines.push(`${event.occurredAt.slice(0, 10)} ${event.entityType} ${keys.length}`);
  }
  return lines;
}

export const variables: CarrierScalarsQueryVariables = {
  asOf: "2026-06-30",
  since: "2026-01-01T00:00:00+08:00",
  within: { type: "Polygon", coordinates: [[[120.2, 31.5], [120.5, 31.5], [120.5, 31.7], [120.2, 31.5]]] },
};

export function upload(file: File): CheckTenanciesMutationVariables {
  return { file };
}

export function pageRows(data: PageQuery): number {
  return data.carriers.nodes.reduce(
    (rows, carrier) => rows + carrier.tenancies.filter((t) => t.movedOutOn === null || t.movedOutOn === undefined).length,
    0,
  );
}

export function nodeName(data: CarrierAsNodeQuery): string | undefined {
  return data.node?.__typename === "Carrier" ? data.node.name : undefined;
}
