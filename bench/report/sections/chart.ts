export type ChartLink = (file: string, title: string, svg: string) => string;
