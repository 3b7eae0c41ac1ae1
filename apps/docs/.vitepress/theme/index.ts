import type { Theme } from "vitepress";
import DefaultTheme from "vitepress/theme";
import ApiReference from "./components/api-reference.vue";
import ModelCatalog from "./components/model-catalog.vue";
import Layout from "./layout.vue";
import "./custom.css";

/** VitePress's default theme with Bentoo's layout and the two live components the reference pages use. */
export default {
  extends: DefaultTheme,
  Layout,
  enhanceApp({ app }) {
    app.component("ModelCatalog", ModelCatalog);
    app.component("ApiReference", ApiReference);
  },
} satisfies Theme;
