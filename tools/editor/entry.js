// The parts of ProseMirror the article editor uses, bundled as one global
// (window.PM) so that internal/newsroom/static/writer.js stays a plain
// script the server serves as it is.
export * as model from "prosemirror-model";
export * as state from "prosemirror-state";
export * as view from "prosemirror-view";
export * as transform from "prosemirror-transform";
export * as commands from "prosemirror-commands";
export * as keymap from "prosemirror-keymap";
export * as history from "prosemirror-history";
export * as inputrules from "prosemirror-inputrules";
export * as dropcursor from "prosemirror-dropcursor";
export * as gapcursor from "prosemirror-gapcursor";
