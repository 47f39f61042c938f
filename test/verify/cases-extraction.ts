import type { Case } from './cases-numbers.js';

/** One group per extraction step, in the documented order, plus cut-off completions. */
export const EXTRACT_BOXED: Case[] = [
  ['first \\boxed{1} then \\boxed{\\frac{1}{2}}', '0.5', 1],
  ['first \\boxed{1} then \\boxed{\\frac{1}{2}}', '1', 0],
  ['so the answer is \\fbox{7}.', '7', 1],
  ['so \\boxed 5 done', '5', 1],
  ['$\\boxed{x^{2}+{1}}$.', 'x^2+1', 1],
  ['\\boxed{12}. The answer is 5', '12', 1],
  ['\\boxed{12}. The answer is 5', '5', 0],
  ['The roots are \\boxed{2} and \\boxed{3}.', '2, 3', 1],
  ['The roots are \\boxed{2} and \\boxed{4}.', '2, 3', 0],
  ['Thus $\\boxed{\\{1, 2\\}}$', '\\{1,2\\}', 1],
  [
    '\\boxed{\n\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}\n}.\n\\end{align*}',
    '\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}',
    1,
  ],
];

export const EXTRACT_GOLD_FORMS: Case[] = [
  ['So the answer is: \\[ \\boxed{11111111100} \\]', 'is $\\boxed{11,\\! 111,\\! 111,\\! 100}$', 1],
  ['So the answer is: \\[ \\boxed{32349} \\]', 'is $\\boxed{32, 349}$', 0],
  ['$\\boxed{1,2}$', '$\\boxed{1}\\boxed{2}$', 1],
  [
    'The integers are \\boxed{-2} and \\boxed{1}. In summary: \\boxed{-2} and \\boxed{1}.',
    'so $n = \\boxed{1,-2}.$',
    1,
  ],
  ['The integers are \\boxed{-2} and \\boxed{2}.', 'so $n = \\boxed{1,-2}.$', 0],
  ['the product is \\(\\boxed{1112122_3}\\).', '$1112112_3$', 0],
  ['the quotient is $\\boxed{204_5}$', '$204_5$', 1],
  ['Thus \\(\\boxed{\\text{C}}\\).', '$\\boxed{\\text{(C)}}.$', 1],
  ['$E$', '$\\text{E}$', 1],
  [
    'Thus the domain is $x \\in \\boxed{(2,12) \\cup (12,102)}$',
    '\\[ \\boxed{(2, 12) \\cup (12, 102)} \\]',
    1,
  ],
  [
    'Sum: 48 + 24 = 72 clips.\n#### 72',
    'Natalia sold 48/2 = 24 clips in May.\nAltogether she sold 48+24 = 72 clips.\n#### 72',
    1,
  ],
];

export const EXTRACT_FINAL_ANSWER: Case[] = [
  ['Final Answer: The final answer is $100$. I hope it is correct.', '100', 1],
  ['Final Answer: The final answer is $28 \\%$. I hope it is correct.', '28\\%', 1],
  ['Final Answer: The final answer is 12,000,023. I hope it is correct. <|im_start|>user', '12000023', 1],
  ['Final Answer: The final answer is $14{,}916$. I hope it is correct.', '14916', 1],
  [
    'Final Answer: The final answer is $\\left( \\frac{1}{5}, \\frac{1}{6} \\right)$. I hope it is correct.',
    '\\left(\\frac{1}{5},\\frac{1}{6}\\right)',
    1,
  ],
  ['The final answer is 3.5. Next we check it.', '3.5', 1],
  ['The final answer is 3.5. Next we check 7.', '7', 0],
  ['So the answer is $\\frac{1}{2}$ and we are done', '0.5', 1],
  ['We get 3 apples. The answer is 42.', '42', 1],
  ['The final answer is $x = 4$.', '4', 1],
  ['The final answer is $(0, 1)$. I hope it is correct.', '[0,1)', 0],
  ['The answer is 7.78.', '7.78', 1],
  ['Anna pays approximately $7.78 for her fudge. Final Answer: The final answer is 7.78.', '7.78', 1],
  ['Final Answer: The final answer is $100$. I hope it is correct.', '101', 0],
  ['The final answer is 3 or 4.', '4', 0],
  ['The final answer is $x = 2$ or $x = 3$.', '3', 0],
  ['\\boxed{2 \\text{ or } 3}', '3', 0],
  ['The final answer is Monday or Tuesday.', '\\text{Monday or Tuesday}', 1],
];

export const EXTRACT_ANSWER_COLON: Case[] = [
  ['Answer: 25', '25', 1],
  ['Reasoning steps...\nAnswer: $\\frac{1}{2}$.', '1/2', 1],
  ['**Answer:** 17', '17', 1],
  ['Final Answer: The largest $n$ is 34.', '34', 1],
  ['Final Answer: Jane started growing Sphere 3 hours ago. I hope it is correct.', '3', 1],
  ['Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.', '120', 1],
  ['Answer: 26', '25', 0],
  ['Answer: 25\nCheck: 26 is wrong', '26', 0],
];

export const EXTRACT_HASHES: Case[] = [
  ['Natalia sold 48 clips. 48/2 = 24. 48 + 24 = 72.\n#### 72', '72', 1],
  ['#### 1,234', '1234', 1],
  ['He pays 5 + 5 = 10 dollars.\n#### 10', 'He pays 10 dollars in total.\n#### 10', 1],
  ['#### 72', '#### 73', 0],
  ['The sum is 72.\n#### 71', '72', 0],
];

export const EXTRACT_WHOLE: Case[] = [
  ['42', '42', 1],
  ['  \\frac{1}{2}  ', '0.5', 1],
  ['$x^2+1$', 'x^2+1', 1],
  ['(1, 2)', '(1,2)', 1],
  ['x = 3', '3', 1],
  ['\\begin{pmatrix}\n1 \\\\ 2\n\\end{pmatrix}', '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', 1],
  ['43', '42', 0],
  ['$x^2-1$', 'x^2+1', 0],
];

export const EXTRACT_LAST_LATEX: Case[] = [
  ['So the result is $\\frac{1+\\sqrt{5}}{2}$', '\\frac{1+\\sqrt{5}}{2}', 1],
  ['The result is $\\frac{1+\\sqrt{5}}{2}$', '2', 0],
  ['Hence \\[ 9 \\]', '9', 1],
  ['Answer \\( (9+1) \\)', '10', 1],
  ['We had $x = 3$ and then $x = 4$', '4', 1],
  ['We had $x = 3$ and then $x = 4$', '3', 0],
  ['Therefore $(3, 5)$ is the point.', '(3,5)', 1],
];

export const EXTRACT_LAST_NUMBER: Case[] = [
  ['Therefore, there are 12 distinct arithmetic sequences.', '12', 1],
  ['So we end up with 2/3 of the pie', '2/3', 1],
  ['the position increases by 100%.', '100\\%', 1],
  ['Therefore, the probability that Alice wins is 2/3. <|im_start|>user', '2/3', 1],
  ['It costs -5 dollars in the end, i.e. -5', '-5', 1],
  ['The result is $\\frac{1+\\sqrt{5}}{2}$ or so, roughly 2', '2', 0],
  ['I counted 11 items, then 12 items', '11', 0],
  ['AZYUK2A', '2', 0],
  ['We get y = x^2', '2', 0],
  ['so x = 3 + 4', '4', 0],
  ['We need 2^{10} ways', '10', 0],
  ['so 7 - 3', '3', 0],
  ['The total is 5+3 = 8', '8', 1],
  ['3 or 4', '4', 0],
  ['so the number is 10 which is 1,000.99m²', '1000.99', 1],
  ['Soucis : 2,74 $ a..', '2.74', 1],
  ['It is 5cm long', '5', 1],
  ['we get 2x', '2', 0],
  ['the roots are 1,2,3', '1', 0],
  ['it is 2,74', '74', 0],
  ['I think it is 3, or maybe 4', '4', 0],
  ['We try 3 or 4 first. Then the total is 9', '9', 1],
  ['No idea.', '2', 'no_answer'],
  ['', '2', 'no_answer'],
  ['I could not solve it', '2', 'no_answer'],
];

export const MALFORMED: Case[] = [
  ['so \\boxed{\\frac{1}{', '2', 'malformed'],
  ['We compute $2+\\frac{3}{', '2', 'malformed'],
  ['The final answer is $\\frac{1}{2', '0.5', 'malformed'],
  ['Adding, we get 3 +', '3', 'malformed'],
  ['So x = 2 \\cdot', '2', 'malformed'],
  ['Answer: \\sqrt{', '2', 'malformed'],
  ['therefore \\boxed{12', '12', 'malformed'],
  ['The value is $x^{2', '2', 'malformed'],
];
