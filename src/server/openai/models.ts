import { HearthError } from "../../core/errors.ts";
import type { Runners } from "../chat.ts";
import { json, type HttpResponse } from "../http-types.ts";

/**
 * The `model` names a client may send: each agent by its name, each team by its name, or as
 * `team:<name>` when an agent has the same name (a bare name reaches the agent).
 */
export function modelNames({ agents, teams }: Runners): string[] {
  const names = Object.keys(agents);
  for (const team of Object.keys(teams)) names.push(Object.hasOwn(agents, team) ? `team:${team}` : team);
  return names;
}

function model(id: string, created: number, owner: string) {
  return { id, object: "model", created, owned_by: owner };
}

/** `GET /v1/models`: the agents and teams a client may name, as OpenAI's API lists models. */
export function listModels(runners: Runners, created: number, owner: string): HttpResponse {
  return json(200, { object: "list", data: modelNames(runners).map((id) => model(id, created, owner)) });
}

/** `GET /v1/models/{id}`: one of them, or a 404. */
export function retrieveModel(runners: Runners, id: string, created: number, owner: string): HttpResponse {
  const team = id.startsWith("team:") ? id.slice(5) : undefined;
  if (!modelNames(runners).includes(id) && !(team !== undefined && Object.hasOwn(runners.teams, team)))
    throw new HearthError("HEARTH_AGENT_UNKNOWN", `There is no agent or team "${id}" (see GET /v1/models).`, {
      field: "model",
    });
  return json(200, model(id, created, owner));
}
