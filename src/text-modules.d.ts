/** Shell templates are bundled as text (esbuild's text loader; a Vite plugin in the tests). */
declare module '*.sh' {
  const text: string;
  export default text;
}
