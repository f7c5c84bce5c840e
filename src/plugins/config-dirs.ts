// Kept where loomCluster imports it from; the code lives in config/ (the config loader needs it too).
export { PLUGIN_DIRS, pluginDirsOf, tagPluginDirs } from '../config/plugin-dirs.js';
