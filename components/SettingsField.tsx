'use client';

import { useId } from 'react';

export default function SettingsField({
  label,
  value,
  onChange,
  placeholder,
  type = 'text',
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  type?: 'text' | 'password';
}) {
  const id = useId();
  return (
    <div className="grid grid-cols-[9rem_1fr] items-center gap-3">
      <label htmlFor={id} className="text-sm text-stone-700">
        {label}
      </label>
      <input
        id={id}
        type={type}
        value={value}
        placeholder={placeholder}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        className="rounded border border-stone-300 px-2 py-1 text-sm focus:border-sky-600 focus:outline-none"
      />
    </div>
  );
}
