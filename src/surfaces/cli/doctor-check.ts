/** One line of `agentos doctor`: what was checked, whether it passed, and what was found. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}
