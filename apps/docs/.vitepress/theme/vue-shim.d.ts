// Single-file components, as TypeScript sees them when it checks the theme's modules (Vite compiles them).
declare module "*.vue" {
  import type { DefineComponent } from "vue";

  const component: DefineComponent;
  export default component;
}
