// hearth/autogen: AutoGen's declarative component JSON (dump_component(), AutoGen Studio's exports).
// An entry point of its own so that apps that do not load component JSON do not import the loader:
// about 3.5 ms of every fresh process's import of "hearth" (docs/architecture.md).
export { loadComponent } from "./load-component.ts";
export type { ComponentType, LoadedComponents } from "./loader.ts";
export type { LoadComponentOptions, ModelComponent } from "./options.ts";
